using System.Diagnostics;
using System.Globalization;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Budgets;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores;
using Mesh.Gateway.Tenancy.Stores.Redis;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.Benchmarks.Limits;

/// <summary>
/// The latency one limit check adds: admit (RPM + TPM + daily budget, one atomic reservation) then settle, measured per call
/// with Stopwatch, against the in-process store and against a real redis-server on loopback (StackExchange.Redis), interleaved in one run.
/// </summary>
/// <remarks>Not a BenchmarkDotNet benchmark: the figure of interest is the tail (p99) of single sequential calls, not a mean.</remarks>
internal static class LimitCheckLatency
{
    public static int Run(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        return RunAsync(iterations).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int iterations)
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = new RedisConnector(new StoreOptions { Redis = server.Url }, null);
        await redis.StartAsync(CancellationToken.None);
        var options = new LimitsOptions
        {
            Tenants =
            [
                new TenantOptions
                {
                    Id = "bench",
                    Limits = new TenantLimitsOptions { RequestsPerMinute = 100_000_000, TokensPerMinute = 1_000_000_000_000 },
                    Budget = new BudgetOptions { PerDayUsd = 1_000_000m },
                },
            ],
        };
        var memory = new InProcessCounterStore(TimeProvider.System);
        var inProcess = new MeshLimiter(options, memory, memory, TimeProvider.System);
        var shared = new MeshLimiter(options, new RedisCounterStore(() => redis.Database), memory, TimeProvider.System);
        var request = new LimitRequest { TenantId = "bench", KeyId = "k", Model = "gpt-4o-mini", EstimatedInputTokens = 120, MaxOutputTokens = 256 };
        var usage = new ChatUsage { InputTokens = 120, OutputTokens = 80 };

        // Warm up both paths (JIT, script cache on the server).
        for (var i = 0; i < 2000; i++)
        {
            await CheckAsync(inProcess, request, usage);
            await CheckAsync(shared, request, usage);
        }

        var memoryAdmit = new double[iterations];
        var redisAdmit = new double[iterations];
        var memoryRound = new double[iterations];
        var redisRound = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            (memoryAdmit[i], memoryRound[i]) = await CheckAsync(inProcess, request, usage);
            (redisAdmit[i], redisRound[i]) = await CheckAsync(shared, request, usage);
        }

        Console.WriteLine($"limit check latency, {iterations} sequential calls each, interleaved; {Environment.ProcessorCount} cores; redis-server on loopback");
        Console.WriteLine("what                         p50 (ms)   p90 (ms)   p99 (ms)   p99.9 (ms)");
        Print("in-process admit", memoryAdmit);
        Print("redis admit", redisAdmit);
        Print("in-process admit+settle", memoryRound);
        Print("redis admit+settle", redisRound);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"added by redis at p50: {Percentile(redisAdmit, 50) - Percentile(memoryAdmit, 50):0.000} ms; at p99: {Percentile(redisAdmit, 99) - Percentile(memoryAdmit, 99):0.000} ms (target <= 0.3 ms p99)"));
        return 0;
    }

    private static async Task<(double Admit, double Round)> CheckAsync(MeshLimiter limiter, LimitRequest request, ChatUsage usage)
    {
        var start = Stopwatch.GetTimestamp();
        var decision = await limiter.AdmitAsync(request, CancellationToken.None);
        var admitted = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        await decision.Lease!.SettleAsync(usage);
        return (admitted, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    private static void Print(string what, double[] samples) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-28} {Percentile(samples, 50),8:0.000}   {Percentile(samples, 90),8:0.000}   {Percentile(samples, 99),8:0.000}   {Percentile(samples, 99.9),8:0.000}"));

    private static double Percentile(double[] samples, double p)
    {
        var sorted = samples.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
    }
}
