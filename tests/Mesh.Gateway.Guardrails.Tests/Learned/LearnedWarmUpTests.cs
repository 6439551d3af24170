using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Guardrails.Learned;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mesh.Gateway.Guardrails.Tests.Learned;

/// <summary>
/// The model loads at start when a policy turns the learned layer on: the warm-up's start does not finish (so the host does not
/// report started, and readiness stays "starting") until the encoder has encoded once; the engine then uses that same encoder.
/// </summary>
public sealed class LearnedWarmUpTests
{
    [Fact]
    public async Task LearnedOn_StartWaitsForTheEncoder_AndTheEngineSharesIt()
    {
        using var encoder = new GatedEncoder();
        using var provider = Provider(encoder, ("guardrails:learned:enabled", "true"));
        var warmUp = provider.GetServices<IHostedService>().OfType<LearnedWarmUp>().Single();

        var start = warmUp.StartAsync(TestContext.Current.CancellationToken);
        Assert.True(encoder.Entered.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "the warm-up did not encode");
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(start.IsCompleted);

        encoder.Release.Set();
        await start.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.True(warmUp.WarmedUp);
        Assert.Equal(1, encoder.Calls);
        provider.GetRequiredService<IGuardrailEngine>().Inspect("hello", GuardDirection.Input, GuardPolicy.Default with { Learned = new LearnedPolicy { Enabled = true } });
        Assert.Equal(2, encoder.Calls);
    }

    [Fact]
    public async Task LearnedOnInOneNamedPolicyOnly_StillWarmsUp()
    {
        using var encoder = new GatedEncoder();
        encoder.Release.Set();
        using var provider = Provider(encoder, ("guardrails:policies:strict:learned:enabled", "true"));

        await provider.GetServices<IHostedService>().OfType<LearnedWarmUp>().Single().StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, encoder.Calls);
    }

    [Fact]
    public async Task LearnedOff_NothingLoads()
    {
        using var encoder = new GatedEncoder();
        using var provider = Provider(encoder, ("guardrails:injection:threshold", "0.4"));
        var warmUp = provider.GetServices<IHostedService>().OfType<LearnedWarmUp>().Single();

        await warmUp.StartAsync(TestContext.Current.CancellationToken);

        Assert.False(warmUp.WarmedUp);
        Assert.Equal(0, encoder.Calls);
    }

    private static ServiceProvider Provider(ITextEncoder encoder, params (string Key, string Value)[] pairs)
    {
        var services = new ServiceCollection();
        services.AddSingleton(encoder);
        services.AddMeshGuardrails(new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build());
        return services.BuildServiceProvider();
    }

    /// <summary>Counts its calls; each waits for <see cref="Release"/>.</summary>
    private sealed class GatedEncoder : ITextEncoder, IDisposable
    {
        private int _calls;

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public int Calls => Volatile.Read(ref _calls);

        public int Dimensions => 384;

        public string ModelName => "gated";

        public float[] Encode(string text, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            Entered.Set();
            Release.Wait(cancellationToken);
            return new float[384];
        }

        public void Dispose()
        {
            Entered.Dispose();
            Release.Dispose();
        }
    }
}
