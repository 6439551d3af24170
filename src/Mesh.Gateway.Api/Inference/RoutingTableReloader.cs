using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;

namespace Mesh.Gateway.Api.Inference;

/// <summary>
/// Rebuilds the routing table when the configuration file changes (<c>models:</c>) and swaps it in atomically; calls already
/// routed keep the table they started with. An invalid new <c>models:</c> section keeps the running table and logs why.
/// </summary>
/// <remarks>
/// Routes are checked against the providers the sidecar started with: providers hold connections and credentials and are not
/// rebuilt on reload, so a route to a provider added since then is rejected until a restart.
/// </remarks>
internal sealed class RoutingTableReloader(IConfiguration configuration, RoutingTableHolder holder, IProviderRegistry providers, ILogger<RoutingTableReloader>? logger = null)
    : IHostedService, IDisposable
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly Lock _gate = new();
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, () => Reload());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Builds a table from the current configuration and makes it current, or keeps the old one if it is invalid.</summary>
    internal bool Reload()
    {
        lock (_gate)
        {
            RoutingTable table;
            try
            {
                table = RoutingTable.Create(InferenceServiceCollectionExtensions.BindModels(configuration), providers.Names);
            }
            catch (InvalidOperationException ex)
            {
                Log.RoutingReloadRejected(_logger, ex.Message);
                return false;
            }

            holder.Replace(table);
            Log.RoutingReloaded(_logger, table.Routes.Count);
            return true;
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _subscription = null;
    }
}
