using System.Diagnostics;
using System.Globalization;
using System.Net;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Resilience;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Routing.Health;
using Mesh.Gateway.Providers.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Benchmarks.Routing;

/// <summary>
/// The issue's routing simulation on real sockets: three fake OpenAI-compatible providers on loopback (A log-normal with
/// median 100 ms and p99 300 ms, B median 400 ms, C like A with 30% of calls answered 429), the real HTTP providers and the
/// real router, N calls at a fixed concurrency per strategy; prints p50/p99 and caller-visible errors for each, then the three
/// figures issue 21 asks for in one table (p99 cut, caller error rate with retries and ejection, sticky canary deviation) with
/// the command that made it. Exits 1 when a figure misses its target.
/// </summary>
/// <remarks>
/// <c>routing [calls=10000] [concurrency=16] [scale=1]</c>: <c>scale</c> multiplies every latency (0.05 proves the program
/// works in seconds; the lead runs scale 1 on a quiet machine). The same figures on virtual time are a test
/// (tests/Mesh.Gateway.Core.Tests/Routing/Simulation).
/// </remarks>
internal static class RoutingSimulationLoad
{
    private const double Z99 = 2.3263478740408408;

    public static int Run(string[] args)
    {
        var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
        var scale = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1.0;
        return RunAsync(calls, concurrency, scale).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int calls, int concurrency, double scale)
    {
        await using var a = await FakeProvider.StartAsync(100 * scale, 300 * scale, 0, seed: 1);
        await using var b = await FakeProvider.StartAsync(400 * scale, 1200 * scale, 0, seed: 2);
        await using var c = await FakeProvider.StartAsync(100 * scale, 300 * scale, 0.3, seed: 3);
        Console.WriteLine($"routing simulation on loopback: {calls} calls per run, concurrency {concurrency}, latency scale {scale}");
        // Warm-up (JIT, connections), not reported.
        await RunStrategyAsync(RouteStrategies.Weighted, false, [a, b, c], Math.Min(calls, 200), concurrency, scale);
        Console.WriteLine("strategy    ejection  retries  p50 ms  p99 ms  errors   attempts A/B/C");
        var results = new Dictionary<(string, bool), (double P50, double P99, double Errors)>();
        foreach (var (strategy, ejection) in new[] { (RouteStrategies.Weighted, false), (RouteStrategies.Weighted, true), (RouteStrategies.LatencyAware, false), (RouteStrategies.LatencyAware, true), (RouteStrategies.LeastBusy, true) })
        {
            var before = (a.Calls, b.Calls, c.Calls);
            var (p50, p99, errors) = results[(strategy, ejection)] = await RunStrategyAsync(strategy, ejection, [a, b, c], calls, concurrency, scale);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{strategy,-11} {(ejection ? "on" : "off"),-9} {1,-8} {p50,6:F0}  {p99,6:F0}  {errors,6:P2}  {a.Calls - before.Item1}/{b.Calls - before.Item2}/{c.Calls - before.Item3}"));
        }

        var weighted = results[(RouteStrategies.Weighted, true)];
        var latency = results[(RouteStrategies.LatencyAware, true)];
        var cut = 1 - (latency.P99 / weighted.P99);
        var (deviation, unstable) = StickyCanary(keys: 10_000, canaryPercent: 10);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"issue 21 figures, from: dotnet run -c Release --project tests/Benchmarks -- routing {calls} {concurrency} {scale}"));
        Console.WriteLine("| figure | target | measured |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| p99 cut, latency-aware vs equal weights (same traffic, retries 1, ejection on) | >= 40% | {cut:P1} ({latency.P99:F0} vs {weighted.P99:F0} ms) |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| caller error rate, latency-aware with retries and ejection | < 1% | {latency.Errors:P2} (equal weights {weighted.Errors:P2}; without ejection {results[(RouteStrategies.LatencyAware, false)].Errors:P2}) |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| sticky canary (10%) over 10,000 keys: deviation from the weight; keys changing variant on a rebuilt table | <= 2 points; 0 | {deviation:F2} points; {unstable} |"));
        return cut >= 0.4 && latency.Errors < 0.01 && Math.Abs(deviation) <= 2 && unstable == 0 ? 0 : 1;
    }

    /// <summary>Assigns 10,000 API keys to a 10% canary through the real selector and again through a second selector on a
    /// rebuilt table: how far the canary's share is from the weight (percentage points), and how many keys changed variant.</summary>
    private static (double DeviationPoints, int Unstable) StickyCanary(int keys, double canaryPercent)
    {
        static ModelRoute Route(double percent) => RoutingTable.Create(
            new ModelsOptions
            {
                Models =
                [
                    new ModelRouteOptions
                    {
                        Name = "chat",
                        Targets = [new RouteTargetOptions { Name = "stable", Provider = "p", Model = "m1" }, new RouteTargetOptions { Name = "canary", Provider = "p", Model = "m2" }],
                        Canary = new CanaryOptions
                        {
                            StickyBy = CanaryStickiness.Key,
                            Variants =
                            [
                                new CanaryVariantOptions { Name = "stable", Weight = 100 - percent, Targets = ["stable"] },
                                new CanaryVariantOptions { Name = "canary", Weight = percent, Targets = ["canary"] },
                            ],
                        },
                    },
                ],
            },
            ["p"]).Routes[0];

        using var health = new TargetHealthRegistry(TimeProvider.System);
        var first = new RouteSelector(health, null, new Random(1).NextDouble);
        var second = new RouteSelector(health, null, new Random(2).NextDouble);
        var route = Route(canaryPercent);
        var rebuilt = Route(canaryPercent);
        var canary = 0;
        var unstable = 0;
        for (var i = 0; i < keys; i++)
        {
            var request = new RouteRequest { TenantId = "tenant", KeyId = string.Create(CultureInfo.InvariantCulture, $"key-{i}") };
            var variant = first.Select(route, request).Variant;
            if (variant != second.Select(rebuilt, request).Variant)
            {
                unstable++;
            }

            if (variant == "canary")
            {
                canary++;
            }
        }

        return ((canary * 100.0 / keys) - canaryPercent, unstable);
    }

    private static async Task<(double P50, double P99, double Errors)> RunStrategyAsync(
        string strategy, bool ejection, FakeProvider[] fakes, int calls, int concurrency, double scale)
    {
        var names = new[] { "a", "b", "c" };
        using var loggers = new NullLoggerFactory();
        var providers = fakes.Select((f, i) => ProviderFactory.Create(
            new ProviderOptions { Name = names[i], Kind = ProviderKinds.OpenAICompatible, BaseUrl = f.BaseUrl + "v1", ApiKey = "k" },
            TimeProvider.System,
            loggers)).ToList();
        using var registry = new ProviderRegistry(providers);
        var models = new ModelsOptions
        {
            Models =
            [
                new ModelRouteOptions
                {
                    Name = "chat",
                    Strategy = strategy,
                    Targets = [.. names.Select(static n => new RouteTargetOptions { Provider = n, Model = "m" })],
                    Retry = new RouteRetryOptions { MaxRetries = 1, BaseDelayMs = 0, MaxDelayMs = 1_000 },
                    CircuitBreaker = new RouteCircuitBreakerOptions { Enabled = false },
                    OutlierDetection = new OutlierDetectionOptions
                    {
                        Enabled = ejection,
                        FailurePercentage = 20,
                        MinimumRequests = 10,
                        WindowMs = Math.Max(1_000, (int)(10_000 * scale)),
                        BaseEjectionMs = Math.Max(1, (int)(30_000 * scale)),
                        MaxEjectionMs = Math.Max(1, (int)(300_000 * scale)),
                        MaxEjectedPercent = 34,
                    },
                },
            ],
        };
        var router = new InferenceRouter(new RoutingTableHolder(RoutingTable.Create(models, registry.Names)), registry, new TargetCircuitBreakers(TimeProvider.System), TimeProvider.System);
        var latencies = new double[calls];
        var errors = 0;
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < calls)
            {
                var started = Stopwatch.GetTimestamp();
                var context = InferenceContext.ForChat(new ChatRequest { Model = "chat", Messages = [ChatMessage.User("hi")] }, isStreaming: false, TimeProvider.System);
                var result = await router.HandleAsync(context, CancellationToken.None);
                if (result.IsError)
                {
                    Interlocked.Increment(ref errors);
                }

                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        });
        await Task.WhenAll(workers);
        Array.Sort(latencies);
        return (latencies[(int)(0.5 * (calls - 1))], latencies[(int)Math.Ceiling(0.99 * calls) - 1], (double)errors / calls);
    }

    /// <summary>A loopback OpenAI-compatible chat endpoint with log-normal latency and a share of 429s.</summary>
    private sealed class FakeProvider : IAsyncDisposable
    {
        private const string Body = """{"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""";
        private const string Limited = """{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""";
        private readonly WebApplication _app;
        private readonly Random _random;
        private readonly Lock _lock = new();
        private readonly double _median;
        private readonly double _sigma;
        private readonly double _limitedShare;
        private int _calls;

        private FakeProvider(WebApplication app, double median, double p99, double limitedShare, int seed)
        {
            _app = app;
            _median = median;
            _sigma = Math.Log(p99 / median) / Z99;
            _limitedShare = limitedShare;
            _random = new Random(seed);
        }

        public Uri BaseUrl { get; private set; } = null!;

        public int Calls => Volatile.Read(ref _calls);

        public static async Task<FakeProvider> StartAsync(double median, double p99, double limitedShare, int seed)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var fake = new FakeProvider(app, median, p99, limitedShare, seed);
            app.MapPost("/v1/chat/completions", fake.HandleAsync);
            await app.StartAsync();
            fake.BaseUrl = new Uri(app.Urls.First() + "/");
            return fake;
        }

        private async Task HandleAsync(HttpContext context)
        {
            Interlocked.Increment(ref _calls);
            double draw;
            bool limited;
            lock (_lock)
            {
                limited = _random.NextDouble() < _limitedShare;
                var z = Math.Sqrt(-2.0 * Math.Log(1.0 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
                draw = _median * Math.Exp(_sigma * z);
            }

            context.Response.ContentType = "application/json";
            if (limited)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(_median / 5));
                context.Response.StatusCode = 429;
                await context.Response.WriteAsync(Limited);
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(draw));
            await context.Response.WriteAsync(Body);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
