namespace Mesh.Gateway.Core.Telemetry;

/// <summary>Values of <c>gen_ai.operation.name</c>.</summary>
public static class GenAiOperationNames
{
    public const string Chat = "chat";
    public const string GenerateContent = "generate_content";
    public const string TextCompletion = "text_completion";
    public const string Embeddings = "embeddings";
    public const string ExecuteTool = "execute_tool";
    public const string RunGuardrail = "run_guardrail";
}
