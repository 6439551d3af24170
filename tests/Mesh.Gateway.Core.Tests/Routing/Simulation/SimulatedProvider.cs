using System.Runtime.CompilerServices;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Tests.Fakes;

namespace Mesh.Gateway.Core.Tests.Routing.Simulation;

/// <summary>
/// A provider on virtual time: each call takes a log-normal time (given median and p99) by advancing the fake clock, and answers
/// a share of calls with 429 after a short time. Calls run one at a time, so the clock is the simulation's only time.
/// </summary>
internal sealed class SimulatedProvider(string name, FakeTimeProvider time, double medianMs, double p99Ms, double rateLimitedShare, int seed) : IChatProvider
{
    private const double Z99 = 2.3263478740408408;
    private static readonly TimeSpan RateLimitedAfter = TimeSpan.FromMilliseconds(20);
    private readonly Random _random = new(seed);
    private readonly double _sigma = Math.Log(p99Ms / medianMs) / Z99;

    public string Name { get; } = name;

    public ProviderKind Kind => ProviderKind.OpenAICompatible;

    public int Calls { get; private set; }

    public ValueTask<ProviderResult<ChatResponse>> CompleteAsync(ChatRequest request, ProviderTarget target, CancellationToken cancellationToken)
    {
        Calls++;
        if (_random.NextDouble() < rateLimitedShare)
        {
            time.Advance(RateLimitedAfter);
            return ValueTask.FromResult<ProviderResult<ChatResponse>>(ProviderError.Create(ProviderErrorKind.RateLimited, "slow down", 429));
        }

        time.Advance(TimeSpan.FromMilliseconds(Latency()));
        return ValueTask.FromResult<ProviderResult<ChatResponse>>(new ChatResponse { Provider = Name, Model = target.Model, Text = "ok" });
    }

    public IAsyncEnumerable<ProviderStreamItem> StreamAsync(ChatRequest request, ProviderTarget target, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the simulation calls unary");

    /// <summary>A log-normal draw (Box-Muller).</summary>
    private double Latency()
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        var z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return medianMs * Math.Exp(_sigma * z);
    }
}
