using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mesh.Gateway.Core.Telemetry;

/// <summary>The gateway's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named "Mesh.Gateway".</summary>
/// <remarks>Both are process-wide and thread-safe. Every component starts its spans and creates its instruments from these.</remarks>
public static class GatewayTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Mesh.Gateway";

    /// <summary>The source of every span the gateway starts.</summary>
    public static readonly ActivitySource ActivitySource = new(Name, typeof(GatewayTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The meter of every instrument the gateway records.</summary>
    public static readonly Meter Meter = new(Name, typeof(GatewayTelemetry).Assembly.GetName().Version?.ToString());
}
