namespace Mesh.Gateway.Guardrails.Checks;

/// <summary>The configuration words of the check adapters (<c>type</c>).</summary>
public static class GuardCheckTypes
{
    public const string OpenAIModeration = "openai_moderation";
    public const string Webhook = "webhook";
    public const string LlmJudge = "llm_judge";

    internal static readonly string[] All = [OpenAIModeration, Webhook, LlmJudge];
}
