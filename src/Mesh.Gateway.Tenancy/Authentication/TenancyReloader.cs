using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Tenancy.Limits;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>
/// Applies <c>tenants:</c>, <c>auth:</c>, <c>limits:</c> and <c>prices:</c> of each new configuration version together: the
/// limiter's rules first, then the authenticator, so a tenant added live has its limits before its key is accepted. Only
/// policy objects are rebuilt; counters (windows, concurrency, spend) stay in the store keyed by tenant.
/// </summary>
/// <remarks>A version touching several of these sections is applied once (the listener is subscribed under each name so the
/// host lists them as live). A JWT validator is rebuilt with the version, so a changed JWKS source is fetched afresh.</remarks>
internal sealed class TenancyReloader(
    ConfigurationVersions versions,
    TenantAuthenticator authenticator,
    MeshLimiter? limiter,
    TimeProvider time,
    ILoggerFactory? loggers = null) : IHostedService, IDisposable
{
    private readonly Lock _gate = new();
    private readonly ILoggerFactory _loggers = loggers ?? NullLoggerFactory.Instance;
    private readonly List<IDisposable> _subscriptions = [];
    private long _applied = 1;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        string[] sections = limiter is null ? ["tenants", "auth"] : ["tenants", "auth", "limits", "prices"];
        foreach (var section in sections)
        {
            _subscriptions.Add(versions.Subscribe(section, Apply));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Rebuilds the authenticator and the limiter's rules from <paramref name="version"/> (once per version).</summary>
    internal void Apply(ConfigurationVersion version)
    {
        lock (_gate)
        {
            if (version.Number <= _applied)
            {
                return;
            }

            var tenancy = version.Get<TenancyOptions>();
            var limits = limiter is null ? null : version.Options.GetService<LimitsOptions>();

            // Build both before swapping either, so a failure leaves the running version whole.
            var next = TenancyServiceCollectionExtensions.Create(tenancy, time, _loggers);
            if (limits is not null)
            {
                limiter!.Replace(limits);
            }

            authenticator.Replace(next.Options, next.Jwt);
            _applied = version.Number;
            var (logger, keys, applied) = (_loggers.CreateLogger<TenancyReloader>(), tenancy.Tenants.Sum(static t => t.ApiKeys.Count), limits is null ? "off" : "applied");
            Log.TenancyReloaded(logger, version.Number, tenancy.Tenants.Count, keys, applied);
        }
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        _subscriptions.Clear();
    }
}
