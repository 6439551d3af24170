namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>A response stream writer that can send what writes with <see cref="global::Grpc.Core.WriteFlags.BufferHint"/> left in
/// its buffer; <see cref="InOrderResponder"/> holds answers back only on such a writer.</summary>
internal interface IFlushableStreamWriter
{
    /// <summary>Sends the buffered messages.</summary>
    Task FlushAsync();
}
