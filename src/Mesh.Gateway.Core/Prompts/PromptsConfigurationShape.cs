using Mesh.Gateway.Core.Composition.Schema;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>
/// The shape of <c>prompts:</c>, declared by hand because <see cref="PromptsOptionsBinder"/> reads the section by hand: the
/// keys it accepts, so a misspelt one is refused with its line, column and the key meant.
/// </summary>
/// <remarks>A label is either a version id or a mapping (a split), and a decorator's <c>tenants</c>/<c>models</c> a name or a
/// list, so those values are not checked here; the binder checks their keys (by path).</remarks>
internal static class PromptsConfigurationShape
{
    public static ConfigurationNode Node { get; } = ConfigurationNode.Mapping(
        ConfigurationKey.Nested("templates", ConfigurationNode.List(ConfigurationNode.Mapping(
            ConfigurationKey.Value("name", "string", null, "The name callers use (lower case letters, digits, `-`, `_`, `.`)."),
            ConfigurationKey.Value("description", "string", null, "What the prompt is for."),
            ConfigurationKey.Nested("variables", ConfigurationNode.List(ConfigurationNode.Mapping(
                ConfigurationKey.Value("name", "string", null, "The variable (`{{name}}` in the messages)."),
                ConfigurationKey.Value("type", "string", "string", "`string`, `number`, `boolean` or `enum`."),
                ConfigurationKey.Value("default", "string", null, "The value used when the caller gives none; a variable without one is required."),
                ConfigurationKey.Nested("values", ConfigurationNode.Any, "The allowed values of an `enum`."),
                ConfigurationKey.Value("from", "string", null, "Chaining: the variable is the text another prompt answers."),
                ConfigurationKey.Value("from_label", "string", null, "The label of `from` to run (its default when unset)."),
                ConfigurationKey.Value("description", "string", null, "What the variable holds."))),
                "The template's typed variables."),
            ConfigurationKey.Nested("versions", ConfigurationNode.List(ConfigurationNode.Mapping(
                ConfigurationKey.Value("version", "string", null, "The version's id (`1`, `2`, `2026-12-01`, ...)."),
                ConfigurationKey.Value("model", "string", null, "The model name the version calls (a `models:` route, or `provider/model`)."),
                ConfigurationKey.Nested("messages", ConfigurationNode.List(ConfigurationNode.Mapping(
                    ConfigurationKey.Value("role", "string", "user", "`system`, `user` or `assistant`."),
                    ConfigurationKey.Value("content", "string", null, "The text, with `{{variable}}` placeholders."))),
                    "The messages sent."),
                ConfigurationKey.Value("max_output_tokens", "integer", null, "The largest answer."),
                ConfigurationKey.Value("temperature", "number", null, "Sampling temperature."))),
                "The versions, oldest first."),
            ConfigurationKey.Nested("labels", ConfigurationNode.Map(ConfigurationNode.Any),
                "Labels (`production`, `staging`, ...): a version id, or `{ weights: { \"1\": 90, \"2\": 10 }, sticky: key }`."))),
            "Prompt templates."),
        ConfigurationKey.Nested("decorators", ConfigurationNode.List(ConfigurationNode.Mapping(
            ConfigurationKey.Value("name", "string", null, "A name for errors and documentation."),
            ConfigurationKey.Nested("tenants", ConfigurationNode.Any, "Tenant ids it applies to (a name or a list); empty means every caller."),
            ConfigurationKey.Nested("models", ConfigurationNode.Any, "Routes it applies to: exact, a prefix ending in `*`, or `*`; empty means all."),
            ConfigurationKey.Value("position", "string", "prepend", "`prepend` (before the caller's first message) or `append` (after its last)."),
            ConfigurationKey.Value("role", "string", "system", "`system` or `user`."),
            ConfigurationKey.Value("content", "string", null, "The message added."))),
            "Messages added to every chat call of the matching tenants and routes."));
}
