namespace Mesh.Gateway.Providers.AwsEventStream;

/// <summary>One decoded application/vnd.amazon.eventstream message: headers and payload.</summary>
internal sealed record EventStreamMessage(IReadOnlyDictionary<string, object> Headers, ReadOnlyMemory<byte> Payload)
{
    public string? GetString(string name) => Headers.TryGetValue(name, out var v) ? v as string : null;

    /// <summary>:message-type (event, exception, error).</summary>
    public string? MessageType => GetString(":message-type");

    /// <summary>:event-type for events, :exception-type for exceptions, :error-code for errors.</summary>
    public string? EventType => GetString(":event-type") ?? GetString(":exception-type") ?? GetString(":error-code");
}
