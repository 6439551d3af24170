using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Sidecar.Admin;
using Microsoft.Extensions.Hosting;

namespace Mesh.Gateway.Sidecar.Console;

/// <summary>Applies a reloaded <c>admin.recent_calls</c> to the console's call log and overhead samples (keeping the newest
/// records they hold), so a change is live rather than named in <c>restart_required</c>.</summary>
internal sealed class RecentCallsReload(ConfigurationVersions versions, RecentCalls calls, OverheadSamples overhead) : IHostedService, IDisposable
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = versions.Subscribe(AdminOptions.SectionName, v => Apply(v.Get<AdminOptions>().RecentCalls));

        // A version applied between construction and subscription.
        Apply(versions.Current.Get<AdminOptions>().RecentCalls);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _subscription = null;
    }

    private void Apply(int capacity)
    {
        calls.Resize(capacity);
        overhead.Resize(capacity);
    }
}
