using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Tokens;
using Mesh.Gateway.Tokenizers;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Counts a request's prompt tokens with the gateway's tokenizer (the counter the Envoy door uses), as the provider
/// model the routing table sends the call to will count them.</summary>
/// <remarks>Exact where the encoding is known (OpenAI models). Where it is not (other providers' models, images whose size is
/// unknown) the count is an estimate, and the larger of it and <see cref="ConservativePromptTokenEstimator"/>'s is taken:
/// over-counting only holds capacity until the call settles, under-counting would let a limit be passed. Thread-safe.</remarks>
internal sealed class TokenizerPromptTokenEstimator(TokenCounter counter, RoutingTableHolder? routes) : IPromptTokenEstimator
{
    private readonly ConservativePromptTokenEstimator _fallback = new();

    public long EstimateInputTokens(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var count = counter.CountChat(ChatTokenRequestMapper.ToTokenRequest(request, ProviderModel(request.Model)));
        return count.Kind == TokenCountKind.Exact
            ? count.PromptTokens
            : Math.Max(count.PromptTokens, _fallback.EstimateInputTokens(request));
    }

    // A routing alias (model "chat") is counted as its first target's model; a direct "provider/model" as that model.
    private string ProviderModel(string model) =>
        routes is not null && routes.Current.TryResolve(model, out var route) && route.Targets.Count > 0 ? route.Targets[0].Model : model;
}
