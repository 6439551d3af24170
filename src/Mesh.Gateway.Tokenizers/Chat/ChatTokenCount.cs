namespace Mesh.Gateway.Tokenizers;

/// <summary>The prompt tokens a chat request costs.</summary>
/// <param name="PromptTokens">The count, comparable with OpenAI's <c>usage.prompt_tokens</c>.</param>
/// <param name="Kind">Exact when no part of the count is approximate.</param>
/// <param name="Encoding">The encoding used.</param>
/// <param name="Approximations">Which parts are approximate.</param>
/// <param name="ImageTokens">The part of the count that images cost.</param>
/// <param name="ToolDefinitionTokens">The part of the count that tool definitions cost.</param>
public sealed record ChatTokenCount(
    int PromptTokens,
    TokenCountKind Kind,
    string Encoding,
    ChatTokenApproximations Approximations,
    int ImageTokens,
    int ToolDefinitionTokens);
