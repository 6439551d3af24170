using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Core.Tests.Routing.Simulation;

/// <summary>
/// A provider on virtual time: each call takes a log-normal time (given median and p99) and answers a share of calls with 429
/// after a short time. A call does not advance the clock itself: it is an event on the <see cref="SimulationClock"/>, which
/// finishes it when the clock reaches its end, so several calls can be in flight at once.
/// </summary>
internal sealed class SimulatedProvider(string name, SimulationClock clock, double medianMs, double p99Ms, double rateLimitedShare, int seed) : IChatProvider
{
    private const double Z99 = 2.3263478740408408;
    private static readonly TimeSpan RateLimitedAfter = TimeSpan.FromMilliseconds(20);
    private readonly Random _random = new(seed);
    private readonly double _sigma = Math.Log(p99Ms / medianMs) / Z99;
    private int _calls;

    public string Name { get; } = name;

    public ProviderKind Kind => ProviderKind.OpenAICompatible;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<ProviderResult<ChatResponse>> CompleteAsync(ChatRequest request, ProviderTarget target, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        bool limited;
        double latency;
        lock (_random)
        {
            limited = _random.NextDouble() < rateLimitedShare;
            latency = limited ? 0 : Latency();
        }

        if (limited)
        {
            return new ValueTask<ProviderResult<ChatResponse>>(clock.After<ChatResponse>(RateLimitedAfter, static () => ProviderError.Create(ProviderErrorKind.RateLimited, "slow down", 429)));
        }

        var response = new ChatResponse { Provider = Name, Model = target.Model, Text = "ok" };
        return new ValueTask<ProviderResult<ChatResponse>>(clock.After<ChatResponse>(TimeSpan.FromMilliseconds(latency), () => response));
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
