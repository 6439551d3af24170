using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Counts a request's prompt tokens before the call, for the token reservation.</summary>
/// <remarks>Register an exact tokenizer-backed implementation to replace <see cref="ConservativePromptTokenEstimator"/>.</remarks>
public interface IPromptTokenEstimator
{
    long EstimateInputTokens(ChatRequest request);
}
