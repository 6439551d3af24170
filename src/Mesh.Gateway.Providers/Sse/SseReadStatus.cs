namespace Mesh.Gateway.Providers.Sse;

/// <summary>What one <see cref="SseReader.ReadAsync"/> produced.</summary>
internal enum SseReadStatus
{
    /// <summary>An event was dispatched; see <see cref="SseReader.EventName"/> and <see cref="SseReader.Data"/>.</summary>
    Event,

    /// <summary>The body ended cleanly between events.</summary>
    End,

    /// <summary>The body ended in the middle of an event or line.</summary>
    Truncated,

    /// <summary>A line is not valid server-sent events syntax; see <see cref="SseReader.Problem"/>.</summary>
    Malformed,
}
