using System.Diagnostics;
using System.Globalization;
using Envoy.Service.Auth.V3;
using Envoy.Service.ExtProc.V3;
using Grpc.Core;
using Grpc.Net.Client;

namespace Mesh.Gateway.Benchmarks.Envoy;

/// <summary>
/// What the Envoy door adds, measured the way Envoy drives it: full ext_proc exchanges and ext_authz Checks over real gRPC on
/// loopback, at a fixed rate (open loop, below saturation), against the gateway and against a trivial echo server on the same
/// gRPC layer, interleaved round by round in one run. Reports p50/p90/p99 exchange latency for both and the difference, and
/// the server process's CPU time per exchange (its CPU time delta / exchanges) for both.
/// </summary>
/// <remarks>Not a BenchmarkDotNet benchmark: the figures of interest are tails under a steady load, and the server runs in its
/// own process so its CPU time is not mixed with the load driver's. Each ext_proc message waits for its answer before the
/// next is sent, as Envoy does (one outstanding message per direction).</remarks>
internal static class EnvoyDoorLoad
{
    public static int Run(string[] args)
    {
        var options = LoadOptions.Parse(args);
        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(LoadOptions options)
    {
        var messages = EnvoyExchangeMessages.Create(EnvoyDoorServers.GatewayKey);
        using var echo = await ServerProcess.StartAsync("echo");
        using var piiOnly = await ServerProcess.StartAsync("gateway-pii");
        using var gateway = await ServerProcess.StartAsync("gateway");
        var targets = new[]
        {
            new Target("echo (baseline)", echo, messages),
            new Target("gateway, PII only", piiOnly, messages),
            new Target("gateway, all checks", gateway, messages),
        };
        var loadBefore = LoadAverage();

        // Warm up (JIT, tiered compilation, connection), and check that the gateway does the real work: redaction, usage.
        foreach (var target in targets)
        {
            await target.VerifyAsync(expectGateway: target.Server != echo);
            await RunAtRateAsync(target.ExchangeAsync, options.ProcRate, options.Warmup, target.Server);
            await RunAtRateAsync(target.CheckAsync, options.CheckRate, options.Warmup, target.Server);
        }

        var proc = targets.ToDictionary(t => t, _ => new Samples());
        var check = targets.ToDictionary(t => t, _ => new Samples());
        for (var round = 0; round < options.Rounds; round++)
        {
            // Alternate who goes first so a slow moment of the machine does not always land on the same side.
            foreach (var target in round % 2 == 0 ? targets : targets.Reverse().ToArray())
            {
                proc[target].Add(await RunAtRateAsync(target.ExchangeAsync, options.ProcRate, options.Duration, target.Server));
                check[target].Add(await RunAtRateAsync(target.CheckAsync, options.CheckRate, options.Duration, target.Server));
            }
        }

        var loadAfter = LoadAverage();
        Console.WriteLine($"Envoy door load: gateway vs echo on the same gRPC layer (Grpc.AspNetCore on Kestrel, h2c over loopback), each server in its own process; {Environment.ProcessorCount} cores");
        Console.WriteLine($"load average before: {loadBefore}; after: {loadAfter}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{options.Rounds} rounds x {options.Duration.TotalSeconds:0} s per side and kind, interleaved; warm-up {options.Warmup.TotalSeconds:0} s each"));
        Console.WriteLine();
        Console.WriteLine("gateway, PII only: guardrails { pii: { action: redact, entities: [email, credit_card] }, injection and moderation off }");
        Console.WriteLine("gateway, all checks: guardrails { pii: ... } as the issue writes it; the guardrails' defaults add prompt-injection and moderation scoring");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ext_proc exchange at {options.ProcRate:0}/s: request headers, {messages.RequestBodyBytes.Length} B chat body (email + card redacted), response headers, {EnvoyExchangeMessages.SseChunks} SSE chunks ({messages.ResponseBytes} B) + end of stream = {3 + messages.ResponseChunks.Count} messages"));
        Report(targets.Select(t => (t.ToString(), proc[t])).ToList(), targetP99Ms: 1.0);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ext_authz Check at {options.CheckRate:0}/s ({messages.RequestBodyBytes.Length} B body attached)"));
        Report(targets.Select(t => (t.ToString(), check[t])).ToList(), targetP99Ms: 0.2);
        return proc.Values.Concat(check.Values).Any(s => s.Errors > 0) ? 1 : 0;
    }

    private static void Report(List<(string Name, Samples Samples)> rows, double targetP99Ms)
    {
        Console.WriteLine("                        exchanges  errors   p50 ms   p90 ms   p99 ms   server CPU us/exchange");
        foreach (var (name, samples) in rows)
        {
            Line(name, samples);
        }

        var baseline = rows[0].Samples;
        foreach (var (name, subject) in rows.Skip(1))
        {
            var added99 = subject.Percentile(99) - baseline.Percentile(99);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  added: {name,-17}            {subject.Percentile(50) - baseline.Percentile(50),7:+0.000;-0.000}  {subject.Percentile(90) - baseline.Percentile(90),7:+0.000;-0.000}  {added99,7:+0.000;-0.000}   {subject.CpuMicrosPerExchange - baseline.CpuMicrosPerExchange,8:+0;-0}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"         ratio to echo: p50 {subject.Percentile(50) / baseline.Percentile(50):0.00}x, p99 {subject.Percentile(99) / baseline.Percentile(99):0.00}x, CPU {subject.CpuMicrosPerExchange / baseline.CpuMicrosPerExchange:0.00}x; target adds <= {targetP99Ms} ms at p99: {(added99 <= targetP99Ms ? "met" : "MISSED")}"));
        }
    }

    private static void Line(string name, Samples s) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-23} {s.Count,9}  {s.Errors,6}  {s.Percentile(50),7:0.000}  {s.Percentile(90),7:0.000}  {s.Percentile(99),7:0.000}   {s.CpuMicrosPerExchange,8:0}"));

    // Open loop: exchange i starts at start + i/rate whether or not the earlier ones finished, so a slow server cannot
    // silently lower the rate.
    private static async Task<Phase> RunAtRateAsync(Func<Task> exchange, double rate, TimeSpan duration, ServerProcess server)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var latencies = new double[count];
        var tasks = new Task<bool>[count];
        var interval = Stopwatch.Frequency / rate;
        var cpuBefore = server.CpuTime();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i * interval);
            // Sleep while the next start is more than a timer tick away, then spin to it: Task.Delay alone wakes up to
            // 1-2 ms late, which is larger than the 0.2 ms this benchmark has to resolve.
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(2))
            {
                await Task.Delay(wait - TimeSpan.FromMilliseconds(1));
            }

            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.SpinWait(20);
            }

            tasks[i] = TimedAsync(exchange, latencies, i);
        }

        var ok = await Task.WhenAll(tasks);
        var cpu = server.CpuTime() - cpuBefore;
        return new Phase(latencies, ok.Count(o => !o), cpu);
    }

    // Latency runs from the exchange's actual start: how late the load generator itself started it is its own noise, not
    // the server's, and it is the same for the echo baseline and the gateway.
    private static async Task<bool> TimedAsync(Func<Task> exchange, double[] latencies, int index)
    {
        var began = Stopwatch.GetTimestamp();
        try
        {
            await exchange();
            latencies[index] = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
            return true;
        }
        catch (RpcException)
        {
            latencies[index] = double.NaN;
            return false;
        }
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private sealed record Phase(double[] Latencies, int Errors, TimeSpan Cpu);

    private sealed class Samples
    {
        private readonly List<double> _latencies = [];
        private double[]? _sorted;
        private TimeSpan _cpu;

        public int Count => _latencies.Count;

        public int Errors { get; private set; }

        public double CpuMicrosPerExchange => Count == 0 ? 0 : _cpu.TotalMicroseconds / Count;

        public void Add(Phase phase)
        {
            _latencies.AddRange(phase.Latencies.Where(l => !double.IsNaN(l)));
            Errors += phase.Errors;
            _cpu += phase.Cpu;
            _sorted = null;
        }

        public double Percentile(double p)
        {
            _sorted ??= [.. _latencies.Order()];
            return _sorted.Length == 0 ? double.NaN : _sorted[Math.Clamp((int)Math.Ceiling(p / 100 * _sorted.Length) - 1, 0, _sorted.Length - 1)];
        }
    }

    private sealed class Target(string name, ServerProcess server, EnvoyExchangeMessages messages)
    {
        private readonly ExternalProcessor.ExternalProcessorClient _proc = new(server.Channel);
        private readonly global::Envoy.Service.Auth.V3.Authorization.AuthorizationClient _authz = new(server.Channel);

        public ServerProcess Server => server;

        public override string ToString() => name;

        public async Task ExchangeAsync()
        {
            using var call = _proc.Process();
            await SendAsync(call, messages.RequestHeaders);
            await SendAsync(call, messages.RequestBody);
            await SendAsync(call, messages.ResponseHeaders);
            foreach (var chunk in messages.ResponseChunks)
            {
                await SendAsync(call, chunk);
            }

            // Envoy half-closes, then resets the stream (disposing the call).
            await call.RequestStream.CompleteAsync();
        }

        public async Task CheckAsync()
        {
            var response = await _authz.CheckAsync(messages.Check);
            if (response.Status.Code != 0)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Check denied: " + response.Status.Message));
            }
        }

        /// <summary>One exchange, checked: the gateway must redact the body and report usage, or the figures mean nothing.</summary>
        public async Task VerifyAsync(bool expectGateway)
        {
            await CheckAsync();
            using var call = _proc.Process();
            await SendAsync(call, messages.RequestHeaders);
            var body = await SendAsync(call, messages.RequestBody);
            await SendAsync(call, messages.ResponseHeaders);
            ProcessingResponse last = null!;
            foreach (var chunk in messages.ResponseChunks)
            {
                last = await SendAsync(call, chunk);
            }

            await call.RequestStream.CompleteAsync();
            if (!expectGateway)
            {
                return;
            }

            var redacted = body.RequestBody?.Response?.BodyMutation?.Body.ToStringUtf8() ?? string.Empty;
            if (!redacted.Contains("[EMAIL]", StringComparison.Ordinal) || !redacted.Contains("[CREDIT_CARD]", StringComparison.Ordinal)
                || last.DynamicMetadata?.Fields.ContainsKey("mesh.gateway") != true)
            {
                throw new InvalidOperationException($"the gateway did not process the exchange as expected: body answer {body}, last answer {last}");
            }
        }

        private static async Task<ProcessingResponse> SendAsync(AsyncDuplexStreamingCall<ProcessingRequest, ProcessingResponse> call, ProcessingRequest message)
        {
            await call.RequestStream.WriteAsync(message);
            if (!await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                throw new RpcException(new Status(StatusCode.Internal, "stream ended without an answer to " + message.RequestCase));
            }

            var answer = call.ResponseStream.Current;
            if (answer.ResponseCase == ProcessingResponse.ResponseOneofCase.ImmediateResponse)
            {
                throw new RpcException(new Status(StatusCode.Internal, "immediate response: " + answer.ImmediateResponse.Body.ToStringUtf8()));
            }

            return answer;
        }
    }

    private sealed record LoadOptions(double ProcRate, double CheckRate, TimeSpan Duration, int Rounds, TimeSpan Warmup)
    {
        // envoy [--proc-rate 100] [--check-rate 1000] [--seconds 5] [--rounds 4] [--warmup 5]
        public static LoadOptions Parse(string[] args)
        {
            var options = new LoadOptions(100, 1000, TimeSpan.FromSeconds(5), 4, TimeSpan.FromSeconds(5));
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                var value = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
                options = args[i] switch
                {
                    "--proc-rate" => options with { ProcRate = value },
                    "--check-rate" => options with { CheckRate = value },
                    "--seconds" => options with { Duration = TimeSpan.FromSeconds(value) },
                    "--rounds" => options with { Rounds = (int)value },
                    "--warmup" => options with { Warmup = TimeSpan.FromSeconds(value) },
                    _ => throw new ArgumentException("unknown option " + args[i]),
                };
            }

            return options;
        }
    }

    private sealed class ServerProcess : IDisposable
    {
        private readonly Process _process;

        private ServerProcess(Process process, int port)
        {
            _process = process;
            Channel = GrpcChannel.ForAddress("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        }

        public GrpcChannel Channel { get; }

        public static async Task<ServerProcess> StartAsync(string kind)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true };
            // Under `dotnet Mesh.Gateway.Benchmarks.dll` the process path is dotnet itself: pass the assembly again.
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            {
                start.ArgumentList.Add(typeof(EnvoyDoorLoad).Assembly.Location);
            }

            start.ArgumentList.Add("envoy-server");
            start.ArgumentList.Add(kind);
            var process = Process.Start(start)!;
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (line is null || !line.StartsWith("PORT ", StringComparison.Ordinal))
            {
                process.Kill();
                throw new InvalidOperationException($"the {kind} server did not start: {line}");
            }

            return new ServerProcess(process, int.Parse(line[5..], CultureInfo.InvariantCulture));
        }

        public TimeSpan CpuTime()
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }

        public void Dispose()
        {
            Channel.Dispose();
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill();
            }

            _process.Dispose();
        }
    }
}
