using System.Text;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>The output a call delivered to its caller (text, reasoning, tool calls), for counting when the provider reports no usage.</summary>
/// <remarks>Not thread-safe: one instance per call.</remarks>
internal sealed class DeliveredOutput
{
    private Accumulator _text;
    private Accumulator _reasoning;
    private Accumulator _tools;

    /// <summary>True once any chunk or response was delivered.</summary>
    public bool Any { get; private set; }

    /// <summary>True when the output held reasoning text.</summary>
    public bool HasReasoning => _reasoning.Length > 0;

    public string Text => _text.ToString();

    public string Reasoning => _reasoning.ToString();

    /// <summary>Tool call names and argument texts, in the order they came.</summary>
    public string ToolCalls => _tools.ToString();

    public void Add(ChatChunk chunk)
    {
        Any = true;
        _text.Append(chunk.TextDelta);
        _reasoning.Append(chunk.ReasoningDelta);
        foreach (var delta in chunk.ToolCallDeltas)
        {
            _tools.Append(delta.Name);
            _tools.Append(delta.ArgumentsFragment);
        }
    }

    /// <summary>A text delta delivered on its own (a door's text item).</summary>
    public void AddText(string text)
    {
        Any = true;
        _text.Append(text);
    }

    public void Add(ChatResponse response)
    {
        Any = true;
        _text.Append(response.Text);
        _reasoning.Append(response.Reasoning);
        foreach (var call in response.ToolCalls)
        {
            _tools.Append(call.Name);
            _tools.Append(call.ArgumentsJson);
        }
    }

    /// <summary>Text appended piece by piece: nothing allocated while empty, the one string kept as is when only one came (a
    /// unary answer), a builder from the second piece on (a stream).</summary>
    private struct Accumulator
    {
        private string? _single;
        private StringBuilder? _builder;

        public readonly int Length => _builder?.Length ?? _single?.Length ?? 0;

        public void Append(string? piece)
        {
            if (string.IsNullOrEmpty(piece))
            {
                return;
            }

            if (_builder is not null)
            {
                _builder.Append(piece);
            }
            else if (_single is null)
            {
                _single = piece;
            }
            else
            {
                _builder = new StringBuilder(_single, Math.Max(256, (_single.Length + piece.Length) * 2)).Append(piece);
                _single = null;
            }
        }

        public override readonly string ToString() => _builder?.ToString() ?? _single ?? string.Empty;
    }
}
