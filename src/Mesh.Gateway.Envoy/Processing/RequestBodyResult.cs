using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>What the request body showed, and how it must change.</summary>
internal sealed record RequestBodyResult
{
    public GatewayError? Error { get; init; }

    /// <summary>The rewritten body, or null when it goes upstream unchanged.</summary>
    public byte[]? NewBody { get; init; }

    public string? Model { get; init; }

    public bool Streaming { get; init; }

    public int? MaxOutputTokens { get; init; }

    public bool UsageRequested { get; init; }

    /// <summary>True when the gateway turned usage reporting on (the caller did not ask): the usage-only event is its to read, not the caller's.</summary>
    public bool UsageForced { get; init; }

    /// <summary>True for a request that asks for reasoning (<c>reasoning_effort</c>, <c>reasoning</c>, <c>thinking</c>).</summary>
    public bool Reasoning { get; init; }

    /// <summary>The request's texts in the codec's visiting order, as the caller sent them (the steps' changes are written back into Root).</summary>
    public IReadOnlyList<string> Texts { get; init; } = [];

    /// <summary>What each of <see cref="Texts"/> is (a message's words or a tool's result), in the same order.</summary>
    public IReadOnlyList<RequestTextKind> TextKinds { get; init; } = [];

    /// <summary>The tools the request declares for the model to call.</summary>
    public IReadOnlyList<string> ToolNames { get; init; } = [];

    /// <summary>The parsed body, as it goes upstream: where a pipeline step's changes to the texts are written back.</summary>
    public JsonObject? Root { get; init; }
}
