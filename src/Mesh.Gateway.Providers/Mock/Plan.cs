using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Providers.Mock;

/// <summary>What the mock will answer to one request.</summary>
internal sealed record Plan(string Id, IReadOnlyList<string> Words, ChatToolCall? ToolCall, ChatFinishReason FinishReason, ChatUsage Usage);
