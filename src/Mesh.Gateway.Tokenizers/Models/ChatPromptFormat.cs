namespace Mesh.Gateway.Tokenizers;

/// <summary>How a model's API turns chat messages into prompt tokens.</summary>
public enum ChatPromptFormat
{
    /// <summary>GPT-3.5, GPT-4, GPT-4o, GPT-4.1, GPT-4.5: 3 tokens per message plus its role, 3 to prime the reply;
    /// tools as a TypeScript-like <c>namespace functions</c> (OpenAI cookbook; hmarr/openai-chat-tokens).</summary>
    Classic,

    /// <summary>GPT-5 and o-series reasoning models: 3 tokens per message plus its role, 2 more for each assistant
    /// message in the history, 2 to prime the reply; tools inside the developer message (harmony layout).</summary>
    Reasoning,

    /// <summary>The search-preview models: OpenAI reports the message text alone.</summary>
    Search,
}
