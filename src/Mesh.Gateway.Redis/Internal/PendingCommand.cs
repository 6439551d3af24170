namespace Mesh.Gateway.Redis.Internal;

/// <summary>A command written to the socket and waiting for its reply, in FIFO order.</summary>
internal sealed class PendingCommand(long sentAtTimestamp) : TaskCompletionSource<RedisResult>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public long SentAtTimestamp { get; } = sentAtTimestamp;
}
