namespace Mesh.Gateway.Grpc.Internal.Protocol;

/// <summary>The per-call state the frame reader needs: limits, the peer's grpc-encoding and a reusable deserialization context.</summary>
internal sealed class MessageReadOptions(int? maxMessageSize, string? encoding)
{
    public int? MaxMessageSize { get; } = maxMessageSize;

    /// <summary>The grpc-encoding the peer announced, or null.</summary>
    public string? Encoding { get; } = encoding;

    public PayloadDeserializationContext DeserializationContext { get; } = new();

    /// <summary>Whether the last message read had the compressed flag set.</summary>
    public bool LastMessageCompressed { get; set; }

    /// <summary>True on the server (messages are requests), false on the client; only changes error texts.</summary>
    public bool IsServer { get; init; } = true;
}
