namespace Mesh.Gateway.Providers.Wire;

/// <summary>What a request text is: a message's words, or the result of a tool the app ran and sends back (content it
/// retrieved, which the guardrails read as a retrieved document).</summary>
internal enum RequestTextKind
{
    Message,
    ToolResult,
}
