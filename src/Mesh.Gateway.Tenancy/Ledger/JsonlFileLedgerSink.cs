using System.Text.Json;

namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>Appends one JSON object per line to a file, rotating it by size.</summary>
internal sealed class JsonlFileLedgerSink : ILedgerSink, IAsyncDisposable
{
    private static readonly byte[] s_newLine = "\n"u8.ToArray();
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _maxFiles;
    private FileStream? _file;

    public JsonlFileLedgerSink(string path, long maxBytes, int maxFiles)
    {
        _path = System.IO.Path.GetFullPath(path);
        _maxBytes = maxBytes;
        _maxFiles = maxFiles;
    }

    public string Name => "jsonl";

    public string Path => _path;

    public async ValueTask WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var file = Open();
        foreach (var record in batch)
        {
            if (file.Length >= _maxBytes)
            {
                await RotateAsync().ConfigureAwait(false);
                file = Open();
            }

            await JsonSerializer.SerializeAsync(file, record, LedgerJsonContext.Default.UsageRecord, cancellationToken).ConfigureAwait(false);
            await file.WriteAsync(s_newLine, cancellationToken).ConfigureAwait(false);
        }

        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
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
        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
            _file = null;
        }
    }
}
