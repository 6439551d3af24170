namespace Mesh.Gateway.FunctionalTests.Parity;

/// <summary>What the caller saw, in door-neutral terms: refused (with the HTTP-equivalent status and message) or served (text and finish reason).</summary>
public sealed record DoorOutcome
{
    /// <summary>200 when served; otherwise the HTTP status (the gRPC door's status code mapped as google.rpc.Code documents).</summary>
    public int Status { get; init; } = 200;

    /// <summary>The error message the caller got, when refused.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The machine code of the refusal in lower case, where the door's error shape carries one (the gRPC door's
    /// ErrorInfo reason, OpenAI's <c>error.code</c>); null where it carries none (Anthropic's and Gemini's error bodies).</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The generated text the caller received (all deltas joined for a stream).</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>The finish reason in OpenAI's words (stop, length, content_filter, tool_calls), null when none was sent.</summary>
    public string? FinishReason { get; init; }

    /// <summary>The arguments of the model's tool calls as the caller assembles them (a stream's pieces joined; Gemini's whole
    /// <c>args</c>), one JSON text per call in order; empty when the answer called no tool.</summary>
    public IReadOnlyList<string> ToolArguments { get; init; } = [];

    /// <summary>The response body as the app received it, where the door has one (every text it carries, not only the deltas an SDK joins).</summary>
    public string? Body { get; init; }

    public bool Served => Status == 200;

    public override string ToString() => Served ? $"200 '{Text}' ({FinishReason})" : $"{Status} {ErrorMessage}";
}
