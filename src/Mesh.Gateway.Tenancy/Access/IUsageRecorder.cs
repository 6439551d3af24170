using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Tenancy.Access;

/// <summary>Receives one usage record per finished request (usage ledgers, telemetry).</summary>
/// <remarks>Called off the response path's critical section; must be thread-safe and must not block.</remarks>
public interface IUsageRecorder
{
    void Record(UsageRecord usage);
}
