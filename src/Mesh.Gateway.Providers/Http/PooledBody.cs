using System.Buffers;

namespace Mesh.Gateway.Providers.Http;

/// <summary>A response body read into a buffer rented from <see cref="ArrayPool{T}.Shared"/>; it grows by doubling and goes
/// back to the pool on <see cref="Dispose"/>. A default value is empty and owns nothing.</summary>
internal struct PooledBody : IDisposable
{
    private byte[]? _buffer;

    public PooledBody(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public int Length { get; private set; }

    public readonly ReadOnlySpan<byte> Span => _buffer is null ? [] : _buffer.AsSpan(0, Length);

    /// <summary>Room for the next read, growing the buffer when it is full.</summary>
    public Memory<byte> FreeSpace()
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(PooledBody));
        if (Length == buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            buffer.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            _buffer = buffer = larger;
        }

        return buffer.AsMemory(Length);
    }

    public void Advance(int count) => Length += count;

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
