namespace Mesh.Gateway.Providers.Wire;

/// <summary>What a request text is: a message's words (the user's, the system's or instructions, an earlier answer of the
/// assistant's), or the result of a tool the app ran and sends back (content it retrieved, which the guardrails read as a
/// retrieved document).</summary>
internal enum RequestTextKind
{
    /// <summary>The user's words (or a message whose role the schema does not say).</summary>
    Message,
    ToolResult,

    /// <summary>A system prompt or instructions (OpenAI <c>system</c>/<c>developer</c>, Anthropic <c>system</c>, Gemini
    /// <c>systemInstruction</c>, Responses <c>instructions</c>).</summary>
    System,

    /// <summary>An earlier answer of the model's sent back in the conversation.</summary>
    Assistant,
}
