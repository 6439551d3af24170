using System.Diagnostics;
using System.Globalization;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Providers;
using Microsoft.Extensions.Configuration;
using Mesh.Gateway.Tenancy.Limits;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Benchmarks.Envoy;

/// <summary>Where an ext_proc exchange spends its time inside the session (no gRPC): mean microseconds per message kind,
/// single-threaded, over the same messages the load run sends, with percentiles of a whole exchange and of a Check: the
/// gateway's own work without gRPC or the scheduler. Usage: <c>envoy-session [iterations, default 2000] [--pii-only] [--cold]</c>.</summary>
internal static class EnvoySessionProfile
{
    public static int Run(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var piiOnly = args.Contains("--pii-only");

        // --cold: every exchange starts with the caches full of other data, as at a fixed rate on a shared machine, where
        // other processes run between two exchanges (the eviction itself is not timed).
        var evict = args.Contains("--cold") ? new byte[64 << 20] : null;
        var services = new ServiceCollection();
        services.AddLogging(l => l.ClearProviders());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(EnvoyDoorServers.Configuration(piiOnly)).Build();
        services.AddMeshProviders(configuration);
        services.AddMeshTenancy(configuration);
        services.AddMeshInferenceGuardrails(configuration);
        // As the sidecar's AddLimits(): the limits step admits, settles and records each call (no limits configured, the
        // ledger kept nowhere).
        services.AddSingleton<Mesh.Gateway.Tenancy.Ledger.IUsageLedger>(NullLedger.Instance);
        services.AddSingleton(new Mesh.Gateway.Core.Routing.RoutingTableHolder(Mesh.Gateway.Core.Routing.RoutingTable.Create(new Mesh.Gateway.Core.Routing.ModelsOptions(), ["openai"])));
        services.AddMeshLimits(configuration);
        services.AddMeshEnvoy(configuration);
        using var provider = services.BuildServiceProvider();
        var deps = provider.GetRequiredService<ExtProcDependencies>();
        var messages = EnvoyExchangeMessages.Create(EnvoyDoorServers.GatewayKey);
        var stages = new double[4];
        var allocations = new long[4];
        var exchanges = new double[iterations];
        var requestBodies = new double[iterations];
        var responseBodies = new double[iterations];

        // The warm-up pass is as long as the measured one: tiered compilation needs seconds of calls before the steady
        // state, and a 200-exchange warm-up reported twice the steady cost.
        for (var warm = 0; warm < 2; warm++)
        {
            Array.Clear(stages);
            Array.Clear(allocations);
            var n = iterations;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var collections = GC.CollectionCount(0);
            for (var i = 0; i < n; i++)
            {
                if (evict is not null)
                {
                    Evict(evict);
                }

                var before = stages.Sum();
                var session = new ExtProcSession(deps);
                Time(session, messages.RequestHeaders, ref stages[0], ref allocations[0]);
                var stage = stages[1];
                Time(session, messages.RequestBody, ref stages[1], ref allocations[1]);
                requestBodies[i] = stages[1] - stage;
                Time(session, messages.ResponseHeaders, ref stages[2], ref allocations[2]);
                stage = stages[3];
                foreach (var chunk in messages.ResponseChunks)
                {
                    Time(session, chunk, ref stages[3], ref allocations[3]);
                }

                responseBodies[i] = stages[3] - stage;
                exchanges[i] = stages.Sum() - before;
            }

            if (warm == 1)
            {
                Array.Sort(exchanges);
                Array.Sort(requestBodies);
                Array.Sort(responseBodies);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"per exchange, mean us (wall): request headers {stages[0] / n:0.0}, request body {stages[1] / n:0.0}, response headers {stages[2] / n:0.0}, {messages.ResponseChunks.Count} response chunks {stages[3] / n:0.0}; total {stages.Sum() / n:0.0}; process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / n:0.0} us"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"per exchange, allocated B: request headers {allocations[0] / n}, request body {allocations[1] / n}, response headers {allocations[2] / n}, {messages.ResponseChunks.Count} response chunks {allocations[3] / n}; total {allocations.Sum() / n}; {GC.CollectionCount(0) - collections} gen0 GCs in {n} exchanges"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"per exchange, in process: p50 {exchanges[n / 2]:0.0} us, p90 {exchanges[(int)(n * 0.9)]:0.0} us, p95 {exchanges[(int)(n * 0.95)]:0.0} us, p99 {exchanges[(int)(n * 0.99)]:0.0} us, p99.9 {exchanges[(int)(n * 0.999)]:0.0} us"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  request body: p50 {requestBodies[n / 2]:0.0} us, p90 {requestBodies[(int)(n * 0.9)]:0.0} us, p99 {requestBodies[(int)(n * 0.99)]:0.0} us; response chunks: p50 {responseBodies[n / 2]:0.0} us, p90 {responseBodies[(int)(n * 0.9)]:0.0} us, p99 {responseBodies[(int)(n * 0.99)]:0.0} us"));
            }
        }

        // The Check handler's own time per call (no gRPC, no scheduler between client and server): the work the gateway
        // adds to an ext_authz round trip, as percentiles. The load run's client-observed p99 cannot resolve this on 2 cores.
        var check = provider.GetRequiredService<Mesh.Gateway.Envoy.Authorization.CheckHandler>();
        var checkTimes = new double[Math.Max(iterations * 10, 1000)];
        for (var i = 0; i < checkTimes.Length; i++)
        {
            _ = check.CheckAsync(messages.Check, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        for (var i = 0; i < checkTimes.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var answer = check.CheckAsync(messages.Check, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            checkTimes[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (answer.Status.Code != 0)
            {
                throw new InvalidOperationException("Check refused the benchmark request: " + answer.Status.Message);
            }
        }

        Array.Sort(checkTimes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Check handler, in process, {checkTimes.Length} calls: p50 {checkTimes[checkTimes.Length / 2]:0.0} us, p99 {checkTimes[(int)(checkTimes.Length * 0.99)]:0.0} us, p99.9 {checkTimes[(int)(checkTimes.Length * 0.999)]:0.0} us"));

        var body = System.Text.Json.JsonDocument.Parse(messages.RequestBodyBytes);
        var texts = body.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()!).ToList();
        var tokens = provider.GetRequiredService<Mesh.Gateway.Tokenizers.TokenCounter>();
        var engine = provider.GetRequiredService<Mesh.Gateway.Guardrails.IGuardrailEngine>();
        var policy = provider.GetRequiredService<Mesh.Gateway.Guardrails.GuardrailsOptions>().DefaultPolicy;
        Measure("request guardrails, engine.Inspect (all texts)", iterations, () => texts.ForEach(t => engine.Inspect(t, Mesh.Gateway.Guardrails.GuardDirection.Input, policy, null)));
        Measure("tokens.CountText", iterations, () => texts.ForEach(t => tokens.Resolve("gpt-4o-mini").CountText(t)));
        Console.WriteLine($"policy: pii {policy.Pii.Enabled} {policy.Pii.Action} [{string.Join(',', policy.Pii.Entities)}], injection {policy.Injection.Enabled}, moderation {policy.Moderation.Enabled}");
        var api = Mesh.Gateway.Envoy.Http.ProviderApiRecognizer.Recognize("/v1/chat/completions")!;
        var bodyBytes = messages.RequestBodyBytes;
        Measure("RequestBodyEditor.Process", iterations, () => RequestBodyEditor.Process(bodyBytes, api, true));
        Measure("JsonNode.Parse + serialize 8 KiB", iterations, () => Mesh.Gateway.Providers.Wire.JsonText.Serialize(System.Text.Json.Nodes.JsonNode.Parse(bodyBytes)!));
        var chunks = messages.ResponseChunks.Select(c => c.ResponseBody.Body.ToByteArray()).ToList();
        Measure("SSE 51 chunks, pass-through", iterations, () =>
        {
            var sse = new SseResponseProcessor(api.Codec, null);
            for (var i = 0; i < chunks.Count; i++)
            {
                sse.OnChunk(chunks[i], i == chunks.Count - 1);
            }
        });
        var allText = string.Join("\n", texts);
        if (evict is not null)
        {
            var injectionOnly = policy with { Pii = policy.Pii with { Enabled = false }, Moderation = policy.Moderation with { Enabled = false } };
            MeasureCold("engine.Inspect injection only", iterations, evict, () => engine.Inspect(allText, Mesh.Gateway.Guardrails.GuardDirection.Input, injectionOnly));
            MeasureCold("tokens.CountText", iterations, evict, () => texts.ForEach(t => tokens.Resolve("gpt-4o-mini").CountText(t)));
        }

        Measure($"Normalizer.Fold {allText.Length} chars", iterations, () => Mesh.Gateway.Guardrails.Moderation.Normalizer.Fold(allText));
        Measure($"Misspellings.Correct {allText.Length} chars", iterations, () => Mesh.Gateway.Guardrails.Moderation.Misspellings.Correct(allText));
        foreach (var (name, p) in new (string, Mesh.Gateway.Guardrails.GuardPolicy)[]
        {
            ("pii only", policy with { Injection = policy.Injection with { Enabled = false }, Moderation = policy.Moderation with { Enabled = false } }),
            ("injection only", policy with { Pii = policy.Pii with { Enabled = false }, Moderation = policy.Moderation with { Enabled = false } }),
            ("moderation only", policy with { Pii = policy.Pii with { Enabled = false }, Injection = policy.Injection with { Enabled = false } }),
            ("pii + injection + moderation", policy),
        })
        {
            Measure($"engine.Inspect {allText.Length} chars, {name}", iterations, () => engine.Inspect(allText, Mesh.Gateway.Guardrails.GuardDirection.Input, p));
            Measure($"stream x48 words, {name}", iterations, () =>
            {
                var r = engine.CreateStream(p, Mesh.Gateway.Guardrails.GuardDirection.Output);
                for (var i = 0; i < 48; i++)
                {
                    r.Push("word ");
                }

                r.Complete();
            });
        }

        return 0;
    }

    private static void Measure(string what, int iterations, Action action)
    {
        for (var i = 0; i < 100; i++)
        {
            action();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++)
        {
            action();
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {elapsed.TotalMicroseconds / iterations:0.0} us, {(GC.GetAllocatedBytesForCurrentThread() - allocated) / iterations:0} B allocated"));
    }

    // Mean time per call with the caches evicted before each one (the eviction is not timed).
    private static void MeasureCold(string what, int iterations, byte[] evict, Action action)
    {
        var times = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            Evict(evict);
            var start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(times);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cold {what}: mean {times.Average():0.0} us, median {times[iterations / 2]:0.0} us"));
    }

    // Touches one byte per cache line of a buffer larger than the L2 cache, so what the next call reads comes from further away.
    private static void Evict(byte[] buffer)
    {
        for (var b = 0; b < buffer.Length; b += 64)
        {
            buffer[b]++;
        }
    }

    private static void Time(ExtProcSession session, global::Envoy.Service.ExtProc.V3.ProcessingRequest message, ref double total, ref long allocated)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        _ = session.HandleAsync(message, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        total += Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        allocated += GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
