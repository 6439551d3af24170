using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;

namespace Mesh.Gateway.Redis.Internal;

/// <summary>
/// One physical connection: commands are encoded into a shared buffer and flushed by a single writer
/// (so concurrent callers are pipelined in one write), replies are matched to commands in order.
/// </summary>
/// <remarks>Once it fails it stays failed: every pending and later command fails, and the owner replaces it.</remarks>
internal sealed class RespSocket : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly TimeProvider _time;
    private readonly Lock _writeLock = new();
    private readonly Queue<PendingCommand> _pending = new();
    private ArrayBufferWriter<byte> _buffer = new(4096);
    private ArrayBufferWriter<byte> _spare = new(4096);
    private bool _flushing;
    private Exception? _failure;
    private Task? _readLoop;

    private RespSocket(Socket socket, Stream stream, TimeProvider time)
    {
        _socket = socket;
        _stream = stream;
        _time = time;
    }

    /// <summary>Raised once, when the socket fails.</summary>
    public event Action<RespSocket, Exception>? Failed;

    public bool IsFailed => Volatile.Read(ref _failure) is not null;

    public static async Task<RespSocket> ConnectAsync(RedisConnectionOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (options.UseTls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, options.CertificateValidation);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = options.Host }, timeout.Token).ConfigureAwait(false);
                stream = ssl;
            }

            var result = new RespSocket(socket, stream, time);
            result._readLoop = Task.Run(result.ReadLoopAsync, CancellationToken.None);
            return result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new RedisConnectionException($"Connecting to {options.Host}:{options.Port} timed out after {options.ConnectTimeout.TotalMilliseconds} ms.");
        }
        catch (Exception ex) when (ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            socket.Dispose();
            throw new RedisConnectionException($"Cannot connect to {options.Host}:{options.Port}: {ex.Message}", ex);
        }
    }

    /// <summary>Queues a command; the task completes with its reply (error replies included, not thrown).</summary>
    public Task<RedisResult> SendAsync(string command, ReadOnlySpan<RedisArg> args)
    {
        PendingCommand pending;
        bool startFlush;
        lock (_writeLock)
        {
            if (_failure is not null)
            {
                return Task.FromException<RedisResult>(new RedisConnectionException("The connection to Redis is down.", _failure));
            }

            RespWriter.WriteCommand(_buffer, command, args);
            pending = new PendingCommand(_time.GetTimestamp());
            _pending.Enqueue(pending);
            startFlush = !_flushing;
            _flushing = true;
        }

        if (startFlush)
        {
            _ = FlushLoopAsync();
        }

        return pending.Task;
    }

    /// <summary>How long the oldest unanswered command has waited; zero when none waits.</summary>
    public TimeSpan OldestPendingAge()
    {
        lock (_writeLock)
        {
            return _pending.TryPeek(out var head) ? _time.GetElapsedTime(head.SentAtTimestamp) : TimeSpan.Zero;
        }
    }

    public void Fail(Exception reason)
    {
        PendingCommand[] orphans;
        lock (_writeLock)
        {
            if (_failure is not null)
            {
                return;
            }

            _failure = reason;
            orphans = [.. _pending];
            _pending.Clear();
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed by the peer.
        }

        _stream.Dispose();
        var error = reason as RedisException ?? new RedisConnectionException("The connection to Redis failed: " + reason.Message, reason);
        foreach (var orphan in orphans)
        {
            orphan.TrySetException(error);
        }

        Failed?.Invoke(this, error);
    }

    private async Task FlushLoopAsync()
    {
        try
        {
            while (true)
            {
                ArrayBufferWriter<byte> toWrite;
                lock (_writeLock)
                {
                    if (_buffer.WrittenCount == 0 || _failure is not null)
                    {
                        _flushing = false;
                        return;
                    }

                    toWrite = _buffer;
                    _buffer = _spare;
                    _spare = toWrite;
                }

                await _stream.WriteAsync(toWrite.WrittenMemory).ConfigureAwait(false);
                toWrite.ResetWrittenCount();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            lock (_writeLock)
            {
                _flushing = false;
            }

            Fail(ex);
        }
    }

    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = read.Buffer;
                var sequence = new SequenceReader<byte>(buffer);
                while (RespParser.TryRead(ref sequence, out var reply))
                {
                    PendingCommand? pending;
                    lock (_writeLock)
                    {
                        _pending.TryDequeue(out pending);
                    }

                    if (pending is null)
                    {
                        throw new RedisConnectionException("Protocol error: a reply arrived with no command waiting for it.");
                    }

                    pending.TrySetResult(reply!);
                }

                reader.AdvanceTo(sequence.Position, buffer.End);
                if (read.IsCompleted)
                {
                    throw new RedisConnectionException("Redis closed the connection.");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or RedisException or InvalidOperationException)
        {
            Fail(ex);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new RedisConnectionException("The connection was closed."));
        if (_readLoop is not null)
        {
            await _readLoop.ConfigureAwait(false);
        }

        _socket.Dispose();
    }
}
