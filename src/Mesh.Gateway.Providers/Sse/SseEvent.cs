namespace Mesh.Gateway.Providers.Sse;

/// <summary>One complete server-sent event.</summary>
/// <param name="Name">The <c>event:</c> field, if any.</param>
/// <param name="Data">The <c>data:</c> lines joined with <c>\n</c> (UTF-8).</param>
/// <param name="Raw">The event's bytes exactly as received, terminating blank line included.</param>
internal readonly record struct SseEvent(string? Name, ReadOnlyMemory<byte> Data, ReadOnlyMemory<byte> Raw);
