namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>The variants of the chat completions schema.</summary>
internal enum OpenAIDialect
{
    /// <summary>api.openai.com: max_completion_tokens.</summary>
    OpenAI,

    /// <summary>Azure OpenAI deployments: deployment URL, api-version query, max_completion_tokens.</summary>
    Azure,

    /// <summary>vLLM, Ollama, Groq, Mistral, OpenRouter: the older max_tokens, reasoning text in reasoning/reasoning_content.</summary>
    Compatible,
}
