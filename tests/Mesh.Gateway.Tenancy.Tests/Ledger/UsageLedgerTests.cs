using System.Runtime.CompilerServices;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Ledger;

public sealed class UsageLedgerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mesh-ledger-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static List<JsonElement> ReadAll(string path) =>
        [.. Directory.GetFiles(Path.GetDirectoryName(path)!).SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement)];

    [Fact]
    public async Task StopAsync_RightAfterABurst_WritesEveryRecord()
    {
        var path = Path.Combine(_dir, "ledger.jsonl");
        var sink = new JsonlFileLedgerSink(path, 1L << 30, 3);
        var ledger = new UsageLedger(new LedgerOptions { Capacity = 64 }, [sink], TimeProvider.System);
        await ledger.StartAsync(CancellationToken.None);

        // Eight writers, a queue of 64: writers wait on the full queue rather than drop.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 2500; i++)
            {
                await ledger.WriteAsync(new UsageRecord { TenantId = "t", RequestId = $"{w}-{i}", InputTokens = 1 });
            }
        })));
        await ledger.StopAsync(CancellationToken.None);
        await sink.DisposeAsync();

        var lines = ReadAll(path);
        Assert.Equal(20_000, lines.Count);
        Assert.Equal(20_000, lines.Select(l => l.GetProperty("request_id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task WriteAsync_PastMaxFileSize_RotatesKeepingMaxFiles()
    {
        var path = Path.Combine(_dir, "ledger.jsonl");
        var sink = new JsonlFileLedgerSink(path, 2_000, 2);
        for (var i = 0; i < 60; i++)
        {
            await sink.WriteAsync([new UsageRecord { TenantId = "t", RequestId = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }], CancellationToken.None);
        }

        await sink.DisposeAsync();
        Assert.True(File.Exists(path));
        Assert.True(File.Exists(path + ".1"));
        Assert.True(File.Exists(path + ".2"));
        Assert.False(File.Exists(path + ".3"));
        Assert.All(Directory.GetFiles(_dir), f => Assert.True(new FileInfo(f).Length <= 2_000 + 400));
        Assert.Contains(File.ReadAllLines(path), l => l.Contains("\"request_id\":\"59\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LimitsStep_RunWithCancellationsAndUpstreamFailures_LedgerTotalsEqualReportedUsageExactly()
    {
        var path = Path.Combine(_dir, "ledger.jsonl");
        var sink = new JsonlFileLedgerSink(path, 1L << 30, 3);
        var ledger = new UsageLedger(new LedgerOptions(), [sink], TimeProvider.System);
        await ledger.StartAsync(CancellationToken.None);
        var store = new InProcessCounterStore(TimeProvider.System);
        var limiter = new MeshLimiter(new LimitsOptions { Tenants = [new TenantOptions { Id = "acme", Limits = new TenantLimitsOptions { TokensPerMinute = 10_000_000 } }] }, store, store, TimeProvider.System);
        var provider = new FakeUpstream();
        var pipeline = new InferencePipelineBuilder()
            .Use((context, next, ct) =>
            {
                context.Identity = new CallIdentity("acme", "key-1", CallIdentity.ApiKey);
                return next(context, ct);
            })
            .AddStep(new LimitsStep(limiter, ledger, new ConservativePromptTokenEstimator(), TimeProvider.System, Mesh.Gateway.Tokenizers.TokenCounter.Default))
            .Build(provider.HandleAsync);

        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 300; i++)
        {
            var mode = (Mode)(i % 6);
            var streaming = mode is Mode.Stream or Mode.StreamAbandoned or Mode.StreamError;
            var context = InferenceContext.ForChat(new ChatRequest { Model = "gpt-4o-mini", Messages = [ChatMessage.User("hello " + i)], MaxOutputTokens = 200, Metadata = new Dictionary<string, string> { ["mode"] = mode.ToString(), ["seed"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) } }, streaming, TimeProvider.System);
            using var cts = new CancellationTokenSource();
            try
            {
                if (mode == Mode.CallerCancelled)
                {
                    await cts.CancelAsync();
                }

                var result = await pipeline.ExecuteAsync(context, cts.Token);
                if (result.Stream is { } stream)
                {
                    var read = 0;
                    await foreach (var item in stream)
                    {
                        if (mode == Mode.StreamAbandoned && ++read == 3)
                        {
                            break; // the caller went away mid-stream
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (HttpRequestException)
            {
            }

            outcomes[mode.ToString()] = outcomes.GetValueOrDefault(mode.ToString()) + 1;
        }

        await ledger.StopAsync(CancellationToken.None);
        await sink.DisposeAsync();
        var records = ReadAll(path);

        Assert.Equal(300, records.Count);
        Assert.Equal(provider.ReportedInput, records.Sum(r => r.GetProperty("input_tokens").GetInt64()));
        Assert.Equal(provider.ReportedCached, records.Sum(r => r.GetProperty("cached_input_tokens").GetInt64()));
        Assert.Equal(provider.ReportedOutput, records.Sum(r => r.GetProperty("output_tokens").GetInt64()));
        var expectedCost = Mesh.Gateway.Tenancy.Budgets.PriceTable.Cost(new Mesh.Gateway.Tenancy.Budgets.ModelPrice(0.15m, 0.075m, 0.60m), provider.ReportedInput, provider.ReportedCached, provider.ReportedOutput);
        Assert.Equal(expectedCost, records.Sum(r => r.GetProperty("cost_usd").GetDecimal()));
        Assert.Equal(["cancelled", "error", "ok"], records.Select(r => r.GetProperty("status").GetString()).Distinct().Order());
        Assert.All(records, r => Assert.Equal("key-1", r.GetProperty("key_id").GetString()));

        // The token limit's counter holds exactly what was used too: nothing leaked, nothing counted twice.
        var probe = await limiter.AdmitAsync(new LimitRequest { TenantId = "acme", Model = "gpt-4o-mini", EstimatedInputTokens = 0, MaxOutputTokens = 0 }, CancellationToken.None);
        Assert.Equal(10_000_000 - (provider.ReportedInput + provider.ReportedOutput), probe.Headers.RemainingTokens);
    }

    private enum Mode
    {
        Response,
        Stream,
        StreamAbandoned,
        StreamError,
        UpstreamFailure,
        CallerCancelled,
    }

    /// <summary>A provider that reports usage the way real ones do: input early in a stream, the rest at its end, nothing when it fails before answering.</summary>
    private sealed class FakeUpstream
    {
        public long ReportedInput { get; private set; }

        public long ReportedCached { get; private set; }

        public long ReportedOutput { get; private set; }

        public async ValueTask<InferenceResult> HandleAsync(InferenceContext context, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var mode = Enum.Parse<Mode>(context.ChatRequest!.Metadata["mode"]);
            var seed = int.Parse(context.ChatRequest.Metadata["seed"], System.Globalization.CultureInfo.InvariantCulture);
            var input = 20 + (seed % 17);
            var cached = seed % 3 == 0 ? 8 : 0;
            var output = 5 + (seed % 150);
            context.ServedTarget = new ServedTarget("openai", Core.Providers.ProviderKind.OpenAI, "gpt-4o-mini", false);
            await Task.Yield();
            switch (mode)
            {
                case Mode.Response:
                    Report(context, input, cached, output);
                    return InferenceResult.FromResponse(new ChatResponse { Text = "hi", Usage = context.Usage! });
                case Mode.UpstreamFailure:
                    return seed % 2 == 0
                        ? InferenceResult.Failure(new GatewayError { Code = GatewayErrorCode.Unavailable, Message = "upstream 503", Reason = GatewayErrorReasons.ProviderOverloaded })
                        : throw new HttpRequestException("connection reset");
                default:
                    return InferenceResult.FromStream(Stream(context, mode, input, cached, output, CancellationToken.None));
            }
        }

        private async IAsyncEnumerable<InferenceStreamItem> Stream(InferenceContext context, Mode mode, int input, int cached, int output, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            // Like Anthropic's message_start: input is known before any text.
            Report(context, input, cached, 0);
            for (var i = 0; i < 6; i++)
            {
                await Task.Yield();
                if (mode == Mode.StreamError && i == 4)
                {
                    yield return InferenceStreamItem.FromError(new GatewayError { Code = GatewayErrorCode.Unavailable, Message = "stream interrupted", Reason = GatewayErrorReasons.StreamInterrupted });
                    yield break;
                }

                yield return InferenceStreamItem.FromChunk(new ChatChunk { TextDelta = "x" });
            }

            Report(context, input, cached, output);
            yield return InferenceStreamItem.FromChunk(new ChatChunk { Usage = context.Usage });
        }

        private void Report(InferenceContext context, int input, int cached, int output)
        {
            // Replaces the call's earlier report: the totals move by the difference.
            var previous = context.Usage ?? ChatUsage.Empty;
            ReportedInput += input - previous.InputTokens;
            ReportedCached += cached - previous.CachedInputTokens;
            ReportedOutput += output - previous.OutputTokens;
            context.Usage = new ChatUsage { InputTokens = input, CachedInputTokens = cached, OutputTokens = output };
        }
    }
}
