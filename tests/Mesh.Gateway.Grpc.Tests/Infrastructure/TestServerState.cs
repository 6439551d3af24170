namespace Mesh.Gateway.Grpc.Tests.Infrastructure;

/// <summary>What the test service observed, for assertions on the server side.</summary>
internal sealed class TestServerState
{
    private int _messagesWritten;
    private int _callsStarted;

    public int CallsStarted => Volatile.Read(ref _callsStarted);

    public int MessagesWritten
    {
        get => Volatile.Read(ref _messagesWritten);
        set => Volatile.Write(ref _messagesWritten, value);
    }

    public void CallStarted() => Interlocked.Increment(ref _callsStarted);

    public TaskCompletionSource<Exception?> StreamEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
