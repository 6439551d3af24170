using System.Text;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>An upper-leaning estimate without a tokenizer: a token per 3 UTF-8 bytes of text, plus a few per message and tool.</summary>
/// <remarks>Over-estimating only holds back capacity until the call settles; under-estimating would let a limit be passed.</remarks>
internal sealed class ConservativePromptTokenEstimator : IPromptTokenEstimator
{
    public long EstimateInputTokens(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        long bytes = 0;
        long overhead = 3;
        foreach (var message in request.Messages)
        {
            overhead += 4;
            foreach (var part in message.Content)
            {
                if (part is TextContentPart text)
                {
                    bytes += Encoding.UTF8.GetByteCount(text.Text);
                }
                else
                {
                    overhead += 800; // an image, at a typical tile cost
                }
            }
        }

        foreach (var tool in request.Tools)
        {
            overhead += 8 + ((tool.Name.Length + (tool.Description?.Length ?? 0)) / 3);
            overhead += tool.ParametersSchema is { } p ? p.GetRawText().Length / 3 : 0;
        }

        return overhead + ((bytes + 2) / 3);
    }
}
