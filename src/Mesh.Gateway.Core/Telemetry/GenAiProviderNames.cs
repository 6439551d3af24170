namespace Mesh.Gateway.Core.Telemetry;

/// <summary>Well-known values of <c>gen_ai.provider.name</c>; other providers use their own lowercase name.</summary>
public static class GenAiProviderNames
{
    public const string OpenAI = "openai";
    public const string Anthropic = "anthropic";
    public const string AwsBedrock = "aws.bedrock";
    public const string AzureOpenAI = "azure.ai.openai";
    public const string AzureInference = "azure.ai.inference";
    public const string GcpGemini = "gcp.gemini";
    public const string GcpVertexAI = "gcp.vertex_ai";
    public const string GcpGenAI = "gcp.gen_ai";
    public const string Groq = "groq";
    public const string MistralAI = "mistral_ai";
    public const string DeepSeek = "deepseek";
    public const string XAI = "x_ai";
    public const string Perplexity = "perplexity";
    public const string Cohere = "cohere";
}
