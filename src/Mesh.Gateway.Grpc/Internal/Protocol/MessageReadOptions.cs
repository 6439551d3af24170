namespace Mesh.Gateway.Grpc.Internal.Protocol;

/// <summary>What the frame reader needs to know about a call: the size limit and the peer's grpc-encoding. Immutable, so shared.</summary>
internal sealed class MessageReadOptions(int? maxMessageSize, string? encoding, bool isServer = true)
{
    public int? MaxMessageSize { get; } = maxMessageSize;

    /// <summary>The grpc-encoding the peer announced, or null.</summary>
    public string? Encoding { get; } = encoding;

    /// <summary>True on the server (messages are requests), false on the client; only changes error texts.</summary>
    public bool IsServer { get; } = isServer;
}
