using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Resilience;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Tests.Fakes;

namespace Mesh.Gateway.Core.Tests.Routing.Simulation;

/// <summary>
/// The routing simulation on virtual time: providers A (log-normal, median 100 ms, p99 300 ms), B (median 400 ms, p99
/// 1200 ms) and C (like A, but 30% of calls answered 429), one route over the three, calls made through the real router by a
/// fixed number of callers at once (each starts its next call when the last one ends, as the benchmark on real sockets does).
/// </summary>
internal sealed class RoutingSimulation
{
    private readonly FakeTimeProvider _time = new();
    private readonly SimulationClock _clock;
    private readonly InferenceRouter _router;

    public RoutingSimulation(string strategy, bool ejection, int maxRetries, int seed = 7)
    {
        _clock = new SimulationClock(_time);
        A = new SimulatedProvider("a", _clock, 100, 300, 0, seed + 1);
        B = new SimulatedProvider("b", _clock, 400, 1200, 0, seed + 2);
        C = new SimulatedProvider("c", _clock, 100, 300, 0.3, seed + 3);
        var registry = new FakeRegistry(A, B, C);
        var models = new ModelsOptions
        {
            Models =
            [
                new ModelRouteOptions
                {
                    Name = "chat",
                    Strategy = strategy,
                    Targets = [Target("a"), Target("b"), Target("c")],
                    Retry = new RouteRetryOptions { MaxRetries = maxRetries, BaseDelayMs = 0, MaxDelayMs = 1_000 },
                    CircuitBreaker = new RouteCircuitBreakerOptions { Enabled = false },
                    OutlierDetection = new OutlierDetectionOptions
                    {
                        Enabled = ejection,
                        ConsecutiveFailures = 5,
                        FailurePercentage = 20,
                        MinimumRequests = 10,
                        WindowMs = 10_000,
                        BaseEjectionMs = 30_000,
                        MaxEjectionMs = 300_000,
                        MaxEjectedPercent = 34,
                    },
                },
            ],
        };
        var random = new Random(seed);
        _router = new InferenceRouter(new RoutingTableHolder(RoutingTable.Create(models, registry.Names)), registry, new TargetCircuitBreakers(_time), _time, sample: random.NextDouble);
    }

    public SimulatedProvider A { get; }

    public SimulatedProvider B { get; }

    public SimulatedProvider C { get; }

    /// <summary>Makes <paramref name="calls"/> calls, <paramref name="concurrency"/> at a time.</summary>
    public Task<SimulationResult> RunAsync(int calls, int concurrency = 1) =>
        // Off the test framework's synchronisation context, so continuations run where the clock finishes a call.
        Task.Run(() => Run(calls, concurrency));

    private SimulationResult Run(int calls, int concurrency)
    {
        var latencies = new double[calls];
        var errors = 0;
        var next = -1;
        var finished = 0;

        async Task CallerAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < calls)
            {
                var context = InferenceContext.ForChat(new ChatRequest { Model = "chat", Messages = [ChatMessage.User("hi")] }, isStreaming: false, _time);
                var result = await _router.HandleAsync(context, CancellationToken.None).ConfigureAwait(false);
                if (result.IsError)
                {
                    Interlocked.Increment(ref errors);
                }

                latencies[i] = _time.GetElapsedTime(context.StartTimestamp).TotalMilliseconds;
            }

            Interlocked.Increment(ref finished);
        }

        var callers = new Task[concurrency];
        for (var c = 0; c < concurrency; c++)
        {
            callers[c] = CallerAsync();
        }

        _clock.RunUntilIdle(concurrency, () => Volatile.Read(ref finished));
        Task.WaitAll(callers);
        Array.Sort(latencies);
        return new SimulationResult(
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            (double)errors / calls,
            A.Calls,
            B.Calls,
            C.Calls);
    }

    private static double Percentile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static RouteTargetOptions Target(string provider) => new() { Provider = provider, Model = "m" };
}

/// <summary>What the caller saw over a simulation, and where the attempts went.</summary>
internal sealed record SimulationResult(double P50Ms, double P99Ms, double ErrorRate, int CallsA, int CallsB, int CallsC)
{
    public override string ToString() =>
        $"p50 {P50Ms:F0} ms, p99 {P99Ms:F0} ms, errors {ErrorRate:P2}, attempts A {CallsA} B {CallsB} C {CallsC}";
}
