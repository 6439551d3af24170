namespace Grpc.Core;

/// <summary>Flags that change how one message is written.</summary>
[Flags]
#pragma warning disable CA1008, CA1711 // Mirrors Grpc.Core's enum exactly.
public enum WriteFlags
#pragma warning restore CA1008, CA1711
{
    /// <summary>The write may be buffered: it need not be flushed at once.</summary>
    BufferHint = 0x1,

    /// <summary>The message is sent uncompressed even when the call uses compression.</summary>
    NoCompress = 0x2,
}
