using System.Text;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>The output a call delivered to its caller (text, reasoning, tool calls), for counting when the provider reports no usage.</summary>
/// <remarks>Not thread-safe: one instance per call.</remarks>
internal sealed class DeliveredOutput
{
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _reasoning = new();
    private readonly StringBuilder _tools = new();

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
            _tools.Append(delta.Name).Append(delta.ArgumentsFragment);
        }
    }

    public void Add(ChatResponse response)
    {
        Any = true;
        _text.Append(response.Text);
        _reasoning.Append(response.Reasoning);
        foreach (var call in response.ToolCalls)
        {
            _tools.Append(call.Name).Append(call.ArgumentsJson);
        }
    }
}
