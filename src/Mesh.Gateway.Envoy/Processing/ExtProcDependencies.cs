using Mesh.Gateway.Envoy.Authorization;
using Mesh.Gateway.Envoy.Configuration;
using Mesh.Gateway.Tenancy.Access;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>What every ext_proc session shares (all thread-safe singletons).</summary>
internal sealed record ExtProcDependencies(
    EnvoyOptions Options,
    AccessEvaluator Access,
    TimeProvider Time,
    ILogger Logger)
{
    public EnvoyUsageLog RecentUsage { get; init; } = new();

    /// <summary>The Core pipeline's steps the door runs (<see cref="EnvoyPipeline"/>); none by default.</summary>
    public EnvoyPipeline Pipeline { get; init; } = EnvoyPipeline.Empty;

    /// <summary>The steps' telemetry step, for the span and duration of a call refused before the steps run (the same record a
    /// step's refusal gets); null where no telemetry step is registered (tests).</summary>
    public Mesh.Gateway.Core.Telemetry.InferenceTelemetryStep? Telemetry { get; init; }

    /// <summary>Routing for models that are routes of <c>models:</c> (docs/0021); null where no routing table is registered.</summary>
    public Routing.EnvoyRouter? Router { get; init; }
}
