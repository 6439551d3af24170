namespace Grpc.Core;

/// <summary>Options for one client call: headers, deadline, cancellation and write options.</summary>
public readonly struct CallOptions
{
    /// <summary>Creates call options.</summary>
#pragma warning disable CA1068 // Grpc.Core's parameter order; generated code passes (headers, deadline, cancellationToken).
    public CallOptions(Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default, WriteOptions? writeOptions = null)
    {
        Headers = headers;
        Deadline = deadline;
        CancellationToken = cancellationToken;
        WriteOptions = writeOptions;
    }
#pragma warning restore CA1068

    /// <summary>Gets the headers to send.</summary>
    public Metadata? Headers { get; }

    /// <summary>Gets the call deadline (UTC), or null for none.</summary>
    public DateTime? Deadline { get; }

    /// <summary>Gets the token that cancels the call.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Gets the write options for request messages.</summary>
    public WriteOptions? WriteOptions { get; }

    /// <summary>Returns a copy with other headers.</summary>
    public CallOptions WithHeaders(Metadata headers) => new(headers, Deadline, CancellationToken, WriteOptions);

    /// <summary>Returns a copy with another deadline.</summary>
    public CallOptions WithDeadline(DateTime deadline) => new(Headers, deadline, CancellationToken, WriteOptions);

    /// <summary>Returns a copy with another cancellation token.</summary>
    public CallOptions WithCancellationToken(CancellationToken cancellationToken) => new(Headers, Deadline, cancellationToken, WriteOptions);

    /// <summary>Returns a copy with other write options.</summary>
    public CallOptions WithWriteOptions(WriteOptions writeOptions) => new(Headers, Deadline, CancellationToken, writeOptions);
}
