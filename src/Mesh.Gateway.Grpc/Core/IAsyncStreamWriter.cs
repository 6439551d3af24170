namespace Grpc.Core;

/// <summary>Writes a stream of messages; one write at a time.</summary>
public interface IAsyncStreamWriter<in T>
{
    /// <summary>Gets or sets the options used for the next writes.</summary>
    WriteOptions? WriteOptions { get; set; }

    /// <summary>Writes a message; completes when the message is handed to the transport (flow control applies).</summary>
    Task WriteAsync(T message);

    /// <summary>Writes a message, observing a cancellation token.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            throw new NotSupportedException("This writer does not support a cancellation token.");
        }

        return WriteAsync(message);
    }
}
