using System.Text;

namespace Mesh.Gateway.Envoy.Tokens;

/// <summary>A fallback: about four UTF-8 bytes per token (OpenAI's rule of thumb), for models without a known encoding.</summary>
internal sealed class ApproximateTokenCounter : IPromptTokenCounter
{
    public static ApproximateTokenCounter Instance { get; } = new();

    public int Count(string model, IReadOnlyList<string> texts)
    {
        long bytes = 0;
        foreach (var t in texts)
        {
            bytes += Encoding.UTF8.GetByteCount(t);
        }

        return (int)((bytes + 3) / 4);
    }

    public int? CountChat(Tokenizers.ChatTokenRequest request) => null;

    public bool IsExact(string model) => false;

    public bool IsReasoningModel(string model) => false;
}
