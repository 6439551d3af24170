namespace Mesh.Gateway.Guardrails;

/// <summary>Tool-call settings (<c>guardrails.tools</c>): which tools a request may declare and the model may call, and whether
/// tool-call arguments and tool results are inspected.</summary>
public sealed record ToolsPolicy
{
    /// <summary>The tool names a request may declare and the model may call (<c>allow</c>); null or empty: any tool.</summary>
    public IReadOnlySet<string>? Allow { get; init; }

    /// <summary>Whether the arguments of tool calls are inspected (<c>scan_arguments</c>, default true): the model's as output,
    /// earlier calls sent back in the conversation as input.</summary>
    public bool ScanArguments { get; init; } = true;

    /// <summary>Whether tool results sent back as input are inspected as retrieved documents (<c>scan_results</c>, default true),
    /// so the indirect-injection patterns apply to them.</summary>
    public bool ScanResults { get; init; } = true;

    /// <summary>True when <paramref name="name"/> may be declared or called under this policy.</summary>
    public bool IsAllowed(string name) => Allow is not { Count: > 0 } allow || allow.Contains(name);

    /// <summary>True when an allow-list is configured.</summary>
    public bool Restricts => Allow is { Count: > 0 };
}
