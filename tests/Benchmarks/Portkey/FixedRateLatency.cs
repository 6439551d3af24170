using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Mesh.Gateway.Grpc;

namespace Mesh.Gateway.Benchmarks.Portkey;

/// <summary>
/// Open-loop latency at a fixed request rate (well under saturation): request i is started at i / rate seconds whether or
/// not earlier ones have answered, and its latency runs from its start to the last byte of its answer.
/// </summary>
/// <remarks>
/// <c>latency http URL RATE SECONDS WARMUP [Header=Value ...]</c> posts <see cref="BenchRequests.OpenAIJson"/>;
/// <c>latency grpc ADDRESS RATE SECONDS WARMUP</c> calls Generate; <c>latency grpc-health ADDRESS ...</c> calls grpc.health.v1 Check. Prints one JSON line (milliseconds).
/// </remarks>
internal static class FixedRateLatency
{
    public static async Task<int> RunAsync(string[] args)
    {
        var kind = args[0];
        var target = args[1];
        var rate = double.Parse(args[2], CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[3], CultureInfo.InvariantCulture);
        var warmup = double.Parse(args[4], CultureInfo.InvariantCulture);
        var headers = args.Skip(5).Select(static h => h.Split('=', 2)).ToArray();

        Func<CancellationToken, Task<bool>> send;
        IDisposable owner;
        if (kind == "grpc-health")
        {
            // The same channel and server without the inference path: what gRPC over HTTP/2 alone costs at this rate.
            var channel = GrpcChannel.ForAddress(target);
            var client = new global::Grpc.Health.V1.Health.HealthClient(channel);
            var request = new global::Grpc.Health.V1.HealthCheckRequest();
            send = async ct => (await client.CheckAsync(request, cancellationToken: ct)).Status == global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving;
            owner = channel;
        }
        else if (kind == "grpc")
        {
            var channel = GrpcChannel.ForAddress(target);
            var client = new V1.Inference.InferenceClient(channel);
            var request = BenchRequests.Generate();
            send = async ct => (await client.GenerateAsync(request, cancellationToken: ct)).Text.Length > 0;
            owner = channel;
        }
        else
        {
            var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
            {
                Timeout = TimeSpan.FromSeconds(30),
            };
            var uri = new Uri(target);
            send = async ct =>
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(BenchRequests.OpenAIJson) };
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                foreach (var header in headers)
                {
                    message.Headers.TryAddWithoutValidation(header[0], header[1]);
                }

                using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct);
                var body = await response.Content.ReadAsByteArrayAsync(ct);
                return response.IsSuccessStatusCode && body.Length > 0;
            };
            owner = http;
        }

        using (owner)
        {
            await Phase(send, rate, warmup);
            var (latencies, errors, lateness) = await Phase(send, rate, seconds);
            latencies.Sort();
            lateness.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $$"""{"kind":"{{kind}}","rate":{{rate}},"n":{{latencies.Count}},"errors":{{errors}},"p50":{{Pct(latencies, 0.50):F3}},"p90":{{Pct(latencies, 0.90):F3}},"p99":{{Pct(latencies, 0.99):F3}},"max":{{latencies[^1]:F3}},"send_late_p99":{{Pct(lateness, 0.99):F3}}}"""));
            return errors == 0 ? 0 : 1;
        }
    }

    private static async Task<(List<double> Latencies, int Errors, List<double> Lateness)> Phase(Func<CancellationToken, Task<bool>> send, double rate, double seconds)
    {
        var count = (int)(rate * seconds);
        var latencies = new List<double>(count);
        var lateness = new List<double>(count);
        var errors = 0;
        var gate = new object();
        var tasks = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.SpinWait(20);
            }

            tasks.Add(One(due));
        }

        await Task.WhenAll(tasks);
        return (latencies, errors, lateness);

        async Task One(long due)
        {
            var began = Stopwatch.GetTimestamp();
            bool ok;
            try
            {
                ok = await send(CancellationToken.None);
            }
            catch (Exception ex) when (ex is HttpRequestException or global::Grpc.Core.RpcException or TaskCanceledException)
            {
                ok = false;
            }

            var elapsed = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
            lock (gate)
            {
                if (ok)
                {
                    latencies.Add(elapsed);
                    lateness.Add(Math.Max(0, Stopwatch.GetElapsedTime(due, began).TotalMilliseconds));
                }
                else
                {
                    errors++;
                }
            }
        }
    }

    private static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
