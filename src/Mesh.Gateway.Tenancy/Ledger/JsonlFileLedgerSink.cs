using System.Buffers;
using System.Text.Json;

namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>Appends one JSON object per line to a file, rotating it by size.</summary>
internal sealed class JsonlFileLedgerSink : ILedgerSink, IAsyncDisposable
{
    private const int InitialBytes = 64 * 1024;
    private const int KeepBytes = 1024 * 1024;
    private static readonly byte[] s_newLine = "\n"u8.ToArray();
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _maxFiles;
    private readonly Utf8JsonWriter _writer;
    private ArrayBufferWriter<byte> _buffer = new(InitialBytes);
    private FileStream? _file;

    public JsonlFileLedgerSink(string path, long maxBytes, int maxFiles)
    {
        _path = System.IO.Path.GetFullPath(path);
        _maxBytes = maxBytes;
        _maxFiles = maxFiles;
        _writer = new Utf8JsonWriter(_buffer);
    }

    public string Name => "jsonl";

    public string Path => _path;

    public async ValueTask WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);

        // The batch is serialized synchronously into one reused buffer and written once (per file, when it rotates): an
        // asynchronous serialization per record cost a state machine, a pooled buffer and a stream write each (docs/0024).
        // The file rotates before the record that finds it at its size, as when each record was written on its own.
        var file = Open();
        var length = file.Length;
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        foreach (var record in batch)
        {
            if (length + _buffer.WrittenCount >= _maxBytes)
            {
                await file.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                _buffer.ResetWrittenCount();
                await RotateAsync().ConfigureAwait(false);
                file = Open();
                length = file.Length;
            }

            JsonSerializer.Serialize(_writer, record, LedgerJsonContext.Default.UsageRecord);
            _writer.Flush();
            _writer.Reset(_buffer);
            _buffer.Write(s_newLine);
        }

        await file.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_buffer.Capacity > KeepBytes)
        {
            // A batch of unusually large records does not keep its buffer for the life of the process.
            _buffer = new ArrayBufferWriter<byte>(InitialBytes);
            _writer.Reset(_buffer);
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_file is not null)
        {
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            _file.Flush(flushToDisk: true);
        }
    }

    private FileStream Open()
    {
        if (_file is null)
        {
            var directory = System.IO.Path.GetDirectoryName(_path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            _file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true);
        }

        return _file;
    }

    private async ValueTask RotateAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
            _file = null;
        }

        var oldest = $"{_path}.{_maxFiles}";
        if (File.Exists(oldest))
        {
            File.Delete(oldest);
        }

        for (var i = _maxFiles - 1; i >= 1; i--)
        {
            var from = $"{_path}.{i}";
            if (File.Exists(from))
            {
                File.Move(from, $"{_path}.{i + 1}");
            }
        }

        if (_maxFiles >= 1)
        {
            File.Move(_path, _path + ".1");
        }
        else
        {
            File.Delete(_path);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _writer.Dispose();
        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
            _file = null;
        }
    }
}
