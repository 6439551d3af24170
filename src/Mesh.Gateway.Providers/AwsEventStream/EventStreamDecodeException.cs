namespace Mesh.Gateway.Providers.AwsEventStream;

/// <summary>The bytes are not a valid event stream (bad length, CRC mismatch, unknown header type).</summary>
internal sealed class EventStreamDecodeException : Exception
{
    public EventStreamDecodeException(string message)
        : base(message)
    {
    }

    public EventStreamDecodeException()
    {
    }

    public EventStreamDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
