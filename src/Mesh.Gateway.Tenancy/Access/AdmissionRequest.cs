using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Tenancy.Limits;

namespace Mesh.Gateway.Tenancy.Access;

/// <summary>What a request is about to use, asked of the limits before it goes upstream.</summary>
/// <param name="Identity">The authenticated caller.</param>
/// <param name="Provider">The provider kind (openai, azure-openai, anthropic, gemini).</param>
/// <param name="Operation">chat, responses or embeddings.</param>
/// <param name="Model">The requested model; empty when not known yet (ext_authz without the body).</param>
/// <param name="PromptTokens">Prompt tokens counted by the gateway.</param>
/// <param name="MaxOutputTokens">The request's output cap, when it has one.</param>
public sealed record AdmissionRequest(CallIdentity Identity, string Provider, string Operation, string Model, int PromptTokens, int? MaxOutputTokens)
{
    /// <summary>A streamed response (holds a concurrent-stream lease until settled).</summary>
    public bool Streaming { get; init; }

    /// <summary>Which limits to charge now; the rest were charged earlier or will be later (see <see cref="LimitCharges"/>).</summary>
    public LimitCharges Charges { get; init; } = LimitCharges.All;
}
