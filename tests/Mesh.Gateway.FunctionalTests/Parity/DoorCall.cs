namespace Mesh.Gateway.FunctionalTests.Parity;

/// <summary>A call in door-neutral terms: who calls, which logical model, with what prompt.</summary>
/// <param name="ApiKey">The gateway key of the calling tenant.</param>
/// <param name="Model">The logical model (a door maps it to its schema's family, see <see cref="IDoor.Model"/>).</param>
/// <param name="Prompt">The user message.</param>
/// <param name="TraceParent">A W3C traceparent the app sends, or null.</param>
/// <param name="ResponseChunkBytes">Where the door's transport cuts the upstream's response body (bytes per chunk), or null for its default.</param>
public sealed record DoorCall(string ApiKey, string Model, string Prompt, string? TraceParent = null, int? ResponseChunkBytes = null)
{
    /// <summary>The tools the request declares (each door writes them in its schema), none by default.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>When set, the conversation goes on after the prompt: the assistant called <see cref="ToolCallName"/> with
    /// <see cref="ToolCallArguments"/>, and this is the tool's result the app sends back.</summary>
    public string? ToolResult { get; init; }

    public const string ToolCallName = "get_weather";

    public const string ToolCallArguments = "{\"city\":\"Oslo\"}";
}
