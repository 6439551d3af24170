namespace Grpc.Core;

/// <summary>Options for writing a message (buffering, compression).</summary>
public class WriteOptions
{
    /// <summary>The default write options (no flags).</summary>
    public static readonly WriteOptions Default = new();

    /// <summary>Creates write options with the given flags.</summary>
    public WriteOptions(WriteFlags flags = default)
    {
        Flags = flags;
    }

    /// <summary>Gets the write flags.</summary>
    public WriteFlags Flags { get; }
}
