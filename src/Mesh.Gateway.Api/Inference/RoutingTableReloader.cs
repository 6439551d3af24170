using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Api.Inference;

/// <summary>
/// Rebuilds the routing table from each new configuration version (<c>models:</c>, already validated with the whole file)
/// and swaps it in atomically; calls already routed keep the table they started with.
/// </summary>
/// <remarks>
/// Routes are checked against the providers in force: the provider registry applies each version's <c>providers:</c> before
/// this (it subscribes when it is created, which is before this subscribes), so a route to a provider added in the same file
/// is accepted.
/// </remarks>
internal sealed class RoutingTableReloader(ConfigurationVersions versions, RoutingTableHolder holder, IProviderRegistry providers, ILogger<RoutingTableReloader>? logger = null)
    : IHostedService, IDisposable
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = versions.Subscribe(ModelsOptions.SectionName, Apply);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Builds the table of <paramref name="version"/> and makes it current.</summary>
    /// <exception cref="InvalidOperationException">A route names a provider the sidecar did not start with; the running table stays.</exception>
    internal void Apply(ConfigurationVersion version)
    {
        RoutingTable table;
        try
        {
            table = RoutingTable.Create(version.Get<ModelsOptions>(), providers.Names);
        }
        catch (InvalidOperationException ex)
        {
            Log.RoutingReloadRejected(_logger, ex.Message);
            throw;
        }

        holder.Replace(table);
        Log.RoutingReloaded(_logger, table.Routes.Count);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _subscription = null;
    }
}
