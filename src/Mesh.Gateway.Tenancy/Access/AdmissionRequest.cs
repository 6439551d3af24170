namespace Mesh.Gateway.Tenancy.Access;

/// <summary>What a request is about to use, asked of the limits before it goes upstream.</summary>
/// <param name="TenantId">The authenticated tenant.</param>
/// <param name="Provider">The provider kind (openai, azure-openai, anthropic, gemini).</param>
/// <param name="Operation">chat, responses or embeddings.</param>
/// <param name="Model">The requested model.</param>
/// <param name="PromptTokens">Prompt tokens counted by the gateway.</param>
/// <param name="MaxOutputTokens">The request's output cap, when it has one.</param>
public sealed record AdmissionRequest(string TenantId, string Provider, string Operation, string Model, int PromptTokens, int? MaxOutputTokens);
