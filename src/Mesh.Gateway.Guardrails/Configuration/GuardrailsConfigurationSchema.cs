using Mesh.Gateway.Core.Composition.Schema;

namespace Mesh.Gateway.Guardrails.Configuration;

/// <summary>The keys of <c>guardrails:</c>, which <see cref="GuardrailsOptionsReader"/> reads by hand (so the shape is declared, not derived).</summary>
internal static class GuardrailsConfigurationSchema
{
    private const string TextActions = "report, redact, mask, hash, tokenize or block";
    private const string Score = "number 0..1";

    private static ConfigurationObjectNode Classifier { get; } = ConfigurationNode.Mapping(
        ConfigurationKey.Value("enabled", "boolean", "false", "Ask the named remote classifier as well as the local detector."),
        ConfigurationKey.Value("name", "string", null, "The registered classifier to ask."),
        ConfigurationKey.Value("fail_open", "boolean", "true", "When the classifier fails, let the text through (false: block it)."),
        ConfigurationKey.Value("min_local_score", Score, "0.2", "Ask the classifier only when the local score reaches this."),
        ConfigurationKey.Value("cache_seconds", "integer 0..86400", "300", "How long a classifier's answer for the same text is reused."));

    /// <summary>One policy: the top of <c>guardrails:</c> (the default policy) and each of <c>guardrails.policies</c>.</summary>
    public static ConfigurationObjectNode Policy { get; } = ConfigurationNode.Mapping(
        ConfigurationKey.Value("hash_key", "string", null, "The secret for the hash action (HMAC), so hashed values cannot be guessed."),
        ConfigurationKey.Nested("pii", ConfigurationNode.Mapping(
            ConfigurationKey.Value("enabled", "boolean", "true", "Detect personal data."),
            ConfigurationKey.Value("action", TextActions, "redact", "What to do with a finding."),
            ConfigurationKey.Nested("entities", ConfigurationNode.List(ConfigurationNode.Value("string")),
                "The entity types to detect (a list or a comma-separated string; secrets, national_ids, all); default every type."),
            ConfigurationKey.Value("threshold", Score, "0.5", "The lowest detector score acted on."),
            ConfigurationKey.Nested("overrides", ConfigurationNode.Map(ConfigurationNode.Mapping(
                ConfigurationKey.Value("action", TextActions, null, "The action for this entity type."),
                ConfigurationKey.Value("threshold", Score, null, "The threshold for this entity type."))),
                "Per entity type: its own action and threshold.")),
            "Personal data detection and redaction."),
        ConfigurationKey.Nested("injection", ConfigurationNode.Mapping(
            ConfigurationKey.Value("enabled", "boolean", "true", "Score prompts for injection."),
            ConfigurationKey.Value("threshold", Score, "0.4", "The lowest score acted on."),
            ConfigurationKey.Value("action", "report or block", "block", "What to do above the threshold."),
            ConfigurationKey.Value("on_output", "boolean", "false", "Score responses too."),
            ConfigurationKey.Nested("classifier", Classifier, "A remote classifier to confirm the local score.")),
            "Prompt-injection scoring."),
        ConfigurationKey.Nested("moderation", ConfigurationNode.Mapping(
            ConfigurationKey.Value("enabled", "boolean", "true", "Moderate texts."),
            ConfigurationKey.Value("action", "report or block", "block", "What to do above the threshold."),
            ConfigurationKey.Value("threshold", Score, "0.5", "The lowest score acted on, for categories without their own."),
            ConfigurationKey.Nested("categories", ConfigurationNode.Map(ConfigurationNode.Value(Score)), "Per category: its own threshold."),
            ConfigurationKey.Value("on_input", "boolean", "true", "Moderate prompts."),
            ConfigurationKey.Value("on_output", "boolean", "true", "Moderate responses."),
            ConfigurationKey.Nested("classifier", Classifier, "A remote classifier to confirm the local score.")),
            "Moderation by category."),
        ConfigurationKey.Nested("learned", ConfigurationNode.Mapping(
            ConfigurationKey.Value("enabled", "boolean", "false", "Score texts with the learned heads on the local sentence encoder, combined with the rules (needs the encoder)."),
            ConfigurationKey.Value("threshold", Score, "0.5", "The lowest learned score acted on (0.5 = the calibrated operating point).")),
            "Learned injection and moderation detectors beside the rules."),
        ConfigurationKey.Nested("stream", ConfigurationNode.Mapping(
            ConfigurationKey.Value("hold_back", "integer 16..65536", "96", "Characters held back from a stream so a value split across chunks is caught."),
            ConfigurationKey.Value("max_hold_back", "integer 16..1048576", "4096", "The most held back while a possible match grows."),
            ConfigurationKey.Value("finish_reason", "string", "content_filter", "The finish reason sent when moderation cuts a stream.")),
            "How streamed responses are checked."),
        ConfigurationKey.Nested("tools", ConfigurationNode.Mapping(
            ConfigurationKey.Nested("allow", ConfigurationNode.List(ConfigurationNode.Value("string")),
                "The tool names a request may declare and the model may call (a list or a comma-separated string); default any tool."),
            ConfigurationKey.Value("scan_arguments", "boolean", "true", "Inspect tool-call arguments (the model's as output, earlier calls sent back as input)."),
            ConfigurationKey.Value("scan_results", "boolean", "true", "Inspect tool results sent back as input as retrieved documents (indirect injection).")),
            "Tool definitions, tool-call arguments and tool results."),
        ConfigurationKey.Nested("checks", ConfigurationNode.Map(ConfigurationNode.Mapping(
            ConfigurationKey.Value("type", "openai_moderation, webhook or llm_judge", null, "The adapter: an OpenAI-moderation-shaped API, a generic webhook (docs/0022), or a model route asked as judge."),
            ConfigurationKey.Value("url", "URL", null, "The service (openai_moderation: its base URL, POST {url}/moderations; webhook: POST {url})."),
            ConfigurationKey.Value("api_key", "string", null, "Sent as Authorization: Bearer."),
            ConfigurationKey.Value("model", "string", "omni-moderation-latest", "The moderation model (openai_moderation)."),
            ConfigurationKey.Value("route", "string", null, "The configured model route asked as judge (llm_judge)."),
            ConfigurationKey.Value("prompt", "string", null, "The judge's instructions (llm_judge); its answer starts with ALLOW or BLOCK."),
            ConfigurationKey.Value("mode", "enforce or audit", "enforce", "enforce: a flag blocks the call; audit: the call passes and the finding is recorded (ledger, span)."),
            ConfigurationKey.Value("on_error", "open or closed", "open", "When the check fails or times out: open lets the call through, closed blocks it."),
            ConfigurationKey.Value("timeout_ms", "integer 1..60000", "2000", "How long the check may take."),
            ConfigurationKey.Value("on_input", "boolean", "true", "Check the request's texts."),
            ConfigurationKey.Value("on_output", "boolean", "false", "Check a whole (not streamed) response's text."))),
            "Pluggable checks beside the local detectors, by name (a policy that names checks has exactly those)."));

    /// <summary>The whole section: the default policy's keys, named policies and the policy of each tenant.</summary>
    public static ConfigurationObjectNode Section { get; } = Policy.With(
        ConfigurationKey.Nested("policies", ConfigurationNode.Map(Policy), "Named policies (each starts from the default policy)."),
        ConfigurationKey.Nested("tenants", ConfigurationNode.Map(ConfigurationNode.Mapping(
            ConfigurationKey.Value("policy", "string", "default", "The policy (a name under guardrails.policies) for this tenant's calls."),
            ConfigurationKey.Value("hash_key", "string", null, "This tenant's own hash key."),
            ConfigurationKey.Nested("tools", ConfigurationNode.List(ConfigurationNode.Value("string")),
                "The tools this tenant's calls may declare and call, in place of its policy's tools.allow."))),
            "The policy of each tenant (by tenant id)."));
}
