using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Providers.Tests.Registry;

/// <summary>A new configuration version's providers answer from the next lookup; the previous ones stay open for calls that
/// started on them until <see cref="ReloadingProviderRegistry.RetireAfter"/>.</summary>
public sealed class ReloadingProviderRegistryTests
{
    [Fact]
    public void Apply_NextVersionsProviders_FromTheNextLookup_PreviousOnesKeptUntilRetired()
    {
        var time = new TimerCapture();
        static ProvidersOptions Mock(string name) => new() { Providers = [new ProviderOptions { Name = name, Kind = ProviderKinds.Mock }] };
        var host = new ServiceCollection().AddSingleton(Mock("first")).BuildServiceProvider();
        var versions = new ConfigurationVersions(host, time);
        using var registry = new ReloadingProviderRegistry(Mock("first"), time, null, versions);
        Assert.True(registry.TryGetChat("first", out var started));

        versions.Apply(new ConfigurationVersion(2, "h2", time.GetUtcNow(), new ServiceCollection().AddSingleton(Mock("second")).BuildServiceProvider()));

        Assert.Equal(["second"], registry.Names);
        Assert.False(registry.TryGetChat("first", out _));
        Assert.True(registry.TryGetChat("second", out _));
        Assert.Equal(ReloadingProviderRegistry.RetireAfter, time.Due);
        Assert.Equal("first", started.Name); // a call holding it is unaffected
    }

    [Fact]
    public void Apply_EmptyProviders_TheDefaultMockAsAtStart()
    {
        var time = new TimerCapture();
        var versions = new ConfigurationVersions(new ServiceCollection().BuildServiceProvider(), time);
        using var registry = new ReloadingProviderRegistry(new ProvidersOptions(), time, null, versions);

        versions.Apply(new ConfigurationVersion(2, "h2", time.GetUtcNow(), new ServiceCollection().AddSingleton(new ProvidersOptions()).BuildServiceProvider()));

        Assert.Equal([ProviderKinds.Mock], registry.Names);
    }

    // Records the retirement timer's due time instead of running it.
    private sealed class TimerCapture : TimeProvider
    {
        public TimeSpan? Due { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime;
            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
