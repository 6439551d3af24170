using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Providers.Mock;

/// <summary>
/// A provider that needs no network: its answer is derived only from the request, so demos, load tests and
/// the default configuration get the same output for the same input. Streams one word per chunk after a configurable delay.
/// </summary>
internal sealed class MockChatProvider : IChatProvider, IEmbeddingProvider
{
    private const int DefaultMaxTokens = 64;
    private const int EmbeddingDimensions = 16;
    private readonly TimeSpan _delayPerToken;
    private readonly TimeProvider _timeProvider;

    public MockChatProvider(string name, TimeSpan delayPerToken, TimeProvider timeProvider)
    {
        Name = name;
        _delayPerToken = delayPerToken;
        _timeProvider = timeProvider;
    }

    public string Name { get; }

    public ProviderKind Kind => ProviderKind.Mock;

    public async ValueTask<ProviderResult<ChatResponse>> CompleteAsync(ChatRequest request, ProviderTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        var plan = Plan(request);
        if (_delayPerToken > TimeSpan.Zero && plan.Words.Count > 0)
        {
            await Task.Delay(_delayPerToken * plan.Words.Count, _timeProvider, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new ChatResponse
        {
            Id = plan.Id,
            Text = string.Concat(plan.Words),
            ToolCalls = plan.ToolCall is null ? [] : [plan.ToolCall],
            FinishReason = plan.FinishReason,
            ProviderFinishReason = FinishWord(plan.FinishReason),
            Usage = plan.Usage,
            Provider = Name,
            Model = target.Model,
        };
    }

    public async IAsyncEnumerable<ProviderStreamItem> StreamAsync(ChatRequest request, ProviderTarget target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        var plan = Plan(request);
        foreach (var word in plan.Words)
        {
            if (_delayPerToken > TimeSpan.Zero)
            {
                await Task.Delay(_delayPerToken, _timeProvider, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return ProviderStreamItem.FromChunk(new ChatChunk { Id = plan.Id, Model = target.Model, TextDelta = word });
        }

        if (plan.ToolCall is { } call)
        {
            yield return ProviderStreamItem.FromChunk(new ChatChunk
            {
                Id = plan.Id,
                Model = target.Model,
                ToolCallDeltas = [new ChatToolCallDelta { Index = 0, Id = call.Id, Name = call.Name, ArgumentsFragment = call.ArgumentsJson }],
            });
        }

        yield return ProviderStreamItem.FromChunk(new ChatChunk
        {
            Id = plan.Id,
            Model = target.Model,
            FinishReason = plan.FinishReason,
            ProviderFinishReason = FinishWord(plan.FinishReason),
            Usage = plan.Usage,
        });
    }

    public ValueTask<ProviderResult<EmbeddingResponse>> EmbedAsync(EmbeddingRequest request, ProviderTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        cancellationToken.ThrowIfCancellationRequested();
        var dimensions = request.Dimensions is > 0 ? request.Dimensions.Value : EmbeddingDimensions;
        var vectors = new List<ReadOnlyMemory<float>>(request.Inputs.Count);
        var tokens = 0;
        foreach (var input in request.Inputs)
        {
            vectors.Add(Embed(input, dimensions));
            tokens += CountTokens(input);
        }

        return ValueTask.FromResult(ProviderResult<EmbeddingResponse>.Success(new EmbeddingResponse
        {
            Embeddings = vectors,
            InputTokens = tokens,
            Provider = Name,
            Model = target.Model,
        }));
    }

    /// <summary>Counts whitespace-separated words: the mock's notion of a token.</summary>
    internal static int CountTokens(string text)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                inWord = false;
            }
            else if (!inWord)
            {
                inWord = true;
                count++;
            }
        }

        return count;
    }

    private static Plan Plan(ChatRequest request)
    {
        var inputTokens = 0;
        var lastUser = string.Empty;
        foreach (var message in request.Messages)
        {
            var text = message.Text;
            inputTokens += CountTokens(text) + 1;
            if (message.Role == ChatRole.User)
            {
                lastUser = text;
            }
        }

        var hash = Fnv1a(lastUser);
        var id = "mock-" + hash.ToString("x8", CultureInfo.InvariantCulture);
        ChatToolCall? toolCall = null;
        if (request.Tools.Count > 0 && request.ToolChoice?.Mode is ChatToolChoiceMode.Required or ChatToolChoiceMode.Tool)
        {
            var name = request.ToolChoice.ToolName ?? request.Tools[0].Name;
            var args = "{\"input\":" + System.Text.Json.JsonSerializer.Serialize(lastUser, MockJsonContext.Default.String) + "}";
            toolCall = new ChatToolCall("call_" + hash.ToString("x8", CultureInfo.InvariantCulture), name, args);
        }

        var source = "Mock reply: " + (lastUser.Length == 0 ? "(no user message)" : lastUser);
        var all = SplitWords(source);
        var max = request.MaxOutputTokens is > 0 ? request.MaxOutputTokens.Value : DefaultMaxTokens;
        var words = toolCall is null ? all.Take(max).ToList() : [];
        var finish = toolCall is not null ? ChatFinishReason.ToolCalls : (all.Count > max ? ChatFinishReason.Length : ChatFinishReason.Stop);
        var outputTokens = words.Count + (toolCall is null ? 0 : CountTokens(toolCall.ArgumentsJson) + 1);
        return new Plan(id, words, toolCall, finish, new ChatUsage { InputTokens = inputTokens, OutputTokens = outputTokens });
    }

    private static List<string> SplitWords(string text)
    {
        // Each word keeps its following whitespace so that concatenating the chunks gives the text back.
        var words = new List<string>();
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            words.Add(text[start..i]);
            start = i;
        }

        return words;
    }

    private static float[] Embed(string text, int dimensions)
    {
        var vector = new float[dimensions];
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < bytes.Length; i++)
        {
            vector[i % dimensions] += (bytes[i] % 31) / 31f;
        }

        var norm = MathF.Sqrt(vector.Sum(static v => v * v));
        if (norm > 0)
        {
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] /= norm;
            }
        }

        return vector;
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    private static string FinishWord(ChatFinishReason reason) => reason switch
    {
        ChatFinishReason.Length => "length",
        ChatFinishReason.ToolCalls => "tool_calls",
        _ => "stop",
    };
}
