using System.Text;

namespace Mesh.Gateway.Core.Chat;

/// <summary>Folds the chunks of a stream into the <see cref="ChatResponse"/> the same call would have returned unstreamed.</summary>
/// <remarks>Not thread-safe: one accumulator per stream.</remarks>
public sealed class ChatStreamAccumulator
{
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _reasoning = new();
    private readonly SortedDictionary<int, ToolCallBuilder> _toolCalls = [];
    private string? _id;
    private string? _model;
    private string? _signature;
    private ChatFinishReason? _finishReason;
    private string? _providerFinishReason;
    private ChatUsage? _usage;

    /// <summary>How many chunks carried text, reasoning or tool-call content.</summary>
    public int ContentChunkCount { get; private set; }

    public void Add(ChatChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        _id ??= chunk.Id;
        _model ??= chunk.Model;
        var content = false;
        if (!string.IsNullOrEmpty(chunk.TextDelta))
        {
            _text.Append(chunk.TextDelta);
            content = true;
        }

        if (!string.IsNullOrEmpty(chunk.ReasoningDelta))
        {
            _reasoning.Append(chunk.ReasoningDelta);
            content = true;
        }

        if (chunk.ReasoningSignature is not null)
        {
            _signature = chunk.ReasoningSignature;
        }

        foreach (var delta in chunk.ToolCallDeltas)
        {
            if (!_toolCalls.TryGetValue(delta.Index, out var builder))
            {
                builder = new ToolCallBuilder();
                _toolCalls.Add(delta.Index, builder);
            }

            builder.Id ??= delta.Id;
            builder.Name ??= delta.Name;
            builder.Arguments.Append(delta.ArgumentsFragment);
            content = true;
        }

        if (chunk.FinishReason is not null)
        {
            _finishReason = chunk.FinishReason;
            _providerFinishReason = chunk.ProviderFinishReason;
        }

        if (chunk.Usage is not null)
        {
            _usage = chunk.Usage;
        }

        if (content)
        {
            ContentChunkCount++;
        }
    }

    public ChatResponse ToResponse(string provider, string? model = null) => new()
    {
        Id = _id,
        Text = _text.ToString(),
        Reasoning = _reasoning.Length > 0 ? _reasoning.ToString() : null,
        ReasoningSignature = _signature,
        ToolCalls = [.. _toolCalls.Values.Select(static b => new ChatToolCall(b.Id ?? string.Empty, b.Name ?? string.Empty, b.Arguments.ToString()))],
        FinishReason = _finishReason ?? ChatFinishReason.Other,
        ProviderFinishReason = _providerFinishReason,
        Usage = _usage ?? ChatUsage.Empty,
        Provider = provider,
        Model = _model ?? model ?? string.Empty,
    };

    private sealed class ToolCallBuilder
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public StringBuilder Arguments { get; } = new();
    }
}
