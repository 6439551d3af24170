using Mesh.Gateway.Envoy.Authorization;
using Mesh.Gateway.Envoy.Configuration;
using Mesh.Gateway.Envoy.Guarding;
using Mesh.Gateway.Tenancy.Access;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>What every ext_proc session shares (all thread-safe singletons).</summary>
internal sealed record ExtProcDependencies(
    EnvoyOptions Options,
    AccessEvaluator Access,
    IEnvoyGuard Guard,
    TimeProvider Time,
    ILogger Logger)
{
    public EnvoyUsageLog RecentUsage { get; init; } = new();

    /// <summary>The Core pipeline's steps the door runs (<see cref="EnvoyPipeline"/>); none by default.</summary>
    public EnvoyPipeline Pipeline { get; init; } = EnvoyPipeline.Empty;

    /// <summary>Routing for models that are routes of <c>models:</c> (docs/0021); null where no routing table is registered.</summary>
    public Routing.EnvoyRouter? Router { get; init; }
}
