using System.Text.Json;

namespace Mesh.Gateway.Core.Chat;

/// <summary>A provider-neutral chat (generation) request.</summary>
public sealed record ChatRequest
{
    /// <summary>The model name as the caller gave it (routing maps it to a <see cref="Providers.ProviderTarget"/>).</summary>
    public required string Model { get; init; }

    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    public IReadOnlyList<ChatToolDefinition> Tools { get; init; } = [];

    public ChatToolChoice? ToolChoice { get; init; }

    public bool? ParallelToolCalls { get; init; }

    public ChatResponseFormat? ResponseFormat { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    /// <summary>Top-k sampling (Anthropic, Gemini); OpenAI ignores it.</summary>
    public int? TopK { get; init; }

    public double? FrequencyPenalty { get; init; }

    public double? PresencePenalty { get; init; }

    public int? MaxOutputTokens { get; init; }

    public IReadOnlyList<string> StopSequences { get; init; } = [];

    public long? Seed { get; init; }

    public ReasoningEffort? ReasoningEffort { get; init; }

    /// <summary>The end user on whose behalf the call is made (OpenAI <c>user</c>, Anthropic <c>metadata.user_id</c>).</summary>
    public string? EndUserId { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    /// <summary>A response stored at the provider that this call continues (OpenAI Responses <c>previous_response_id</c>).</summary>
    /// <remarks>Only a target whose provider has <see cref="Providers.ChatProviderFeatures.StoredResponses"/> can honour it; the
    /// router refuses the call when no target of the route can. The stored context is not seen by the gateway's guardrails
    /// (it was screened when it was sent); the response cache never answers such a call.</remarks>
    public string? PreviousResponseId { get; init; }

    /// <summary>Whether a provider that keeps responses may keep this one (OpenAI Responses <c>store</c>); null: the
    /// provider's default (OpenAI keeps them, which is what lets a later call continue it by <see cref="PreviousResponseId"/>).</summary>
    public bool? Store { get; init; }

    /// <summary>The provider's own tools (OpenAI Responses <c>web_search</c>, <c>file_search</c>, ...), each the caller's
    /// declaration as given; function tools are <see cref="Tools"/>.</summary>
    /// <remarks>Only a target whose provider has <see cref="Providers.ChatProviderFeatures.BuiltInTools"/> can honour them.</remarks>
    public IReadOnlyList<JsonElement> BuiltInTools { get; init; } = [];

    /// <summary>True when the answer depends on state kept at the provider or on tools it runs (a stored response, built-in
    /// tools): such a call is never answered from, or stored in, the response cache.</summary>
    public bool IsProviderStateful => PreviousResponseId is not null || BuiltInTools.Count > 0;

    /// <summary>A JSON object merged over the provider's request body (provider-specific options the contract has no field for).</summary>
    public JsonElement? ProviderOptions { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();
}
