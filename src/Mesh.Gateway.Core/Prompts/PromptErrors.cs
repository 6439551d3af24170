using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>The errors a prompt call answers with (INVALID_ARGUMENT for variables comes from <see cref="GatewayError.InvalidArgument"/>).</summary>
public static class PromptErrors
{
    /// <summary>ErrorInfo reason of an unknown prompt, version or label.</summary>
    public const string PromptNotFound = "PROMPT_NOT_FOUND";

    /// <summary>ErrorInfo reason of a tenant that may not run the prompt.</summary>
    public const string PromptNotAllowed = "PROMPT_NOT_ALLOWED";

    public static GatewayError NotFound(string prompt) => new()
    {
        Code = GatewayErrorCode.NotFound,
        Reason = PromptNotFound,
        Message = $"prompt '{prompt}' is not published by this gateway",
        Field = "name",
        Metadata = new Dictionary<string, string> { ["prompt"] = prompt },
    };

    public static GatewayError VersionNotFound(string prompt, string field, string value) => new()
    {
        Code = GatewayErrorCode.NotFound,
        Reason = PromptNotFound,
        Message = $"prompt '{prompt}' has no {field} '{value}'",
        Field = field,
        Metadata = new Dictionary<string, string> { ["prompt"] = prompt, [field] = value },
    };
}
