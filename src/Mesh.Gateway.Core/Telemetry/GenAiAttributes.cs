namespace Mesh.Gateway.Core.Telemetry;

/// <summary>OpenTelemetry GenAI semantic convention attribute names (semantic-conventions, gen-ai registry; status Development).</summary>
public static class GenAiAttributes
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string ConversationId = "gen_ai.conversation.id";
    public const string OutputType = "gen_ai.output.type";

    public const string RequestModel = "gen_ai.request.model";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestChoiceCount = "gen_ai.request.choice.count";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string RequestTopP = "gen_ai.request.top_p";
    public const string RequestTopK = "gen_ai.request.top_k";
    public const string RequestStopSequences = "gen_ai.request.stop_sequences";
    public const string RequestFrequencyPenalty = "gen_ai.request.frequency_penalty";
    public const string RequestPresencePenalty = "gen_ai.request.presence_penalty";
    public const string RequestSeed = "gen_ai.request.seed";
    public const string RequestEncodingFormats = "gen_ai.request.encoding_formats";
    public const string RequestStream = "gen_ai.request.stream";

    public const string ResponseId = "gen_ai.response.id";
    public const string ResponseModel = "gen_ai.response.model";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string ResponseTimeToFirstChunk = "gen_ai.response.time_to_first_chunk";

    public const string UsageInputTokens = "gen_ai.usage.input_tokens";
    public const string UsageOutputTokens = "gen_ai.usage.output_tokens";
    public const string UsageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
    public const string UsageCacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens";
    public const string UsageReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens";
    public const string TokenType = "gen_ai.token.type";

    public const string EmbeddingsDimensionCount = "gen_ai.embeddings.dimension.count";

    /// <summary>The published prompt a call ran (the conventions' <c>gen_ai.prompt.name</c>).</summary>
    public const string PromptName = "gen_ai.prompt.name";

    /// <summary>The prompt's version: the conventions have no name for it, so the gateway's own namespace.</summary>
    public const string MeshPromptVersion = "mesh.gateway.prompt.version";

    /// <summary>Opt-in content attributes: sensitive, never set unless content capture is configured.</summary>
    public const string SystemInstructions = "gen_ai.system_instructions";
    public const string InputMessages = "gen_ai.input.messages";
    public const string OutputMessages = "gen_ai.output.messages";
    public const string ToolDefinitions = "gen_ai.tool.definitions";

    public const string ToolName = "gen_ai.tool.name";
    public const string ToolCallId = "gen_ai.tool.call.id";

    public const string GuardrailTargetType = "gen_ai.guardrail.target.type";
    public const string GuardrailTargetSubtype = "gen_ai.guardrail.target.subtype";
    public const string GuardrailVerdictType = "gen_ai.guardrail.verdict.type";
    public const string GuardrailVerdictReason = "gen_ai.guardrail.verdict.reason";
    public const string GuardrailActionType = "gen_ai.guardrail.action.type";
    public const string GuardrailComponentName = "gen_ai.guardrail.component.name";
    public const string GuardrailPolicyId = "gen_ai.guardrail.security.policy.id";
    public const string GuardrailPolicyRuleId = "gen_ai.guardrail.security.policy.rule.id";
    public const string GuardrailRiskCategory = "gen_ai.guardrail.security.risk.category";
    public const string GuardrailRiskScore = "gen_ai.guardrail.security.risk.score";
    public const string GuardrailContentModified = "gen_ai.guardrail.security.content.modified";

    /// <summary>General attributes the GenAI conventions use.</summary>
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string ErrorType = "error.type";

    /// <summary>The door a call came through: grpc, http or envoy (span attribute).</summary>
    public const string MeshDoor = "mesh.gateway.door";

    /// <summary>A routing target, as <c>provider/model</c> (target health metrics).</summary>
    public const string MeshTarget = "mesh.gateway.target";

    /// <summary>The outlier-ejection state of a target: healthy, ejected, probing.</summary>
    public const string MeshTargetState = "mesh.gateway.target.state";

    /// <summary>Which latency estimate a measurement is: ttft or total.</summary>
    public const string MeshLatencyKind = "mesh.gateway.latency.kind";

    /// <summary>The routing strategy that picked the served target (span attribute).</summary>
    public const string MeshRouteStrategy = "mesh.gateway.route.strategy";

    /// <summary>The name of the served target within its route (span attribute).</summary>
    public const string MeshRouteTarget = "mesh.gateway.route.target";

    /// <summary>The canary variant the call was assigned to (span attribute).</summary>
    public const string MeshRouteVariant = "mesh.gateway.route.variant";

    /// <summary>The match rule that chose the targets (span attribute).</summary>
    public const string MeshRouteRule = "mesh.gateway.route.rule";
}
