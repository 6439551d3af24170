using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Routing;

/// <summary>What routing reads of a call, whichever door it came through: who calls, its metadata, and the chat request.</summary>
public sealed record RouteRequest
{
    /// <summary>The region header (or gRPC metadata) a match rule's <c>regions</c> reads first.</summary>
    public const string RegionHeader = "x-mesh-region";

    /// <summary>The task header (or gRPC metadata) a match rule's <c>tasks</c> reads first.</summary>
    public const string TaskHeader = "x-mesh-task";

    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    public string? TenantId { get; init; }

    public string? KeyId { get; init; }

    /// <summary>The tenant's labels (<c>tier</c> among them).</summary>
    public IReadOnlyDictionary<string, string> TenantLabels { get; init; } = None;

    /// <summary>Request headers or gRPC metadata, names in lower case.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = None;

    /// <summary>The chat request, when the call is a chat call whose body was read.</summary>
    public ChatRequest? Chat { get; init; }

    /// <summary>Whether the streaming estimate (time to first token) is the one that matters.</summary>
    public bool IsStreaming { get; init; }

    /// <summary>What the pipeline knows of the call.</summary>
    public static RouteRequest From(InferenceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new RouteRequest
        {
            TenantId = context.Identity?.TenantId,
            KeyId = context.Identity?.KeyId,
            TenantLabels = context.Identity?.Labels ?? None,
            Headers = context.Headers,
            Chat = context.ChatRequest,
            IsStreaming = context.IsStreaming,
        };
    }

    internal string? Region => Headers.TryGetValue(RegionHeader, out var region) ? region : TenantLabels.GetValueOrDefault("region");

    internal string? Task => Headers.TryGetValue(TaskHeader, out var task) ? task : Chat?.Metadata.GetValueOrDefault("task");

    internal bool HasTools => Chat is { Tools.Count: > 0 };

    internal bool HasImages => Chat is { } chat && chat.Messages.Any(static m => m.Content.Any(static p => p is ImageContentPart));
}
