namespace Mesh.Gateway.Providers.Tests.Support;

/// <summary>A read-only stream that hands out its bytes in pieces whose sizes a function chooses (arbitrary read boundaries).</summary>
internal sealed class ChunkedStream : Stream
{
    private readonly byte[] _data;
    private readonly Func<int, int> _nextSize;
    private int _position;

    public ChunkedStream(byte[] data, Func<int, int> nextSize)
    {
        _data = data;
        _nextSize = nextSize;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _data.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var size = Math.Min(Math.Min(count, Math.Max(1, _nextSize(_position))), _data.Length - _position);
        Array.Copy(_data, _position, buffer, offset, size);
        _position += size;
        return size;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var size = Math.Min(Math.Min(buffer.Length, Math.Max(1, _nextSize(_position))), _data.Length - _position);
        _data.AsSpan(_position, size).CopyTo(buffer.Span);
        _position += size;
        return ValueTask.FromResult(size);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
