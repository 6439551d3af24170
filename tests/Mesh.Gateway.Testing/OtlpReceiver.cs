using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Testing;

/// <summary>A loopback OTLP/HTTP (protobuf) receiver, standing in for an OpenTelemetry Collector (none is installable here).</summary>
/// <remarks>Accepts POST /v1/logs, /v1/traces and /v1/metrics, keeps every body, and decodes log records with a small
/// protobuf reader of its own (the OTLP protos are not compiled into the project): body, attributes and the resource's
/// attributes. Answers 200 with an empty ExportLogsServiceResponse.</remarks>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _requests = new();
    private readonly ConcurrentQueue<OtlpLogRecord> _logs = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base URL (<c>http://127.0.0.1:port/</c>); signals go to <c>v1/logs</c> and so on below it.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<(string Path, byte[] Body)> Requests => [.. _requests];

    /// <summary>Every log record received, in arrival order.</summary>
    public IReadOnlyList<OtlpLogRecord> Logs => [.. _logs];

    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        Stream body = context.Request.Body;
        if (string.Equals(context.Request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            body = new System.IO.Compression.GZipStream(body, System.IO.Compression.CompressionMode.Decompress);
        }

        await body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        var path = context.Request.Path.Value ?? string.Empty;
        _requests.Enqueue((path, bytes));
        if (path == "/v1/logs")
        {
            foreach (var record in DecodeLogs(bytes))
            {
                _logs.Enqueue(record);
            }
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-protobuf";
    }

    /// <summary>Decodes an ExportLogsServiceRequest: resource_logs(1) → resource(1).attributes(1), scope_logs(2) → log_records(2) → body(5), attributes(6).</summary>
    public static IReadOnlyList<OtlpLogRecord> DecodeLogs(ReadOnlySpan<byte> request)
    {
        var result = new List<OtlpLogRecord>();
        foreach (var resourceLogs in Fields(request, 1))
        {
            var resource = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var r in Fields(resourceLogs, 1))
            {
                ReadAttributes(r, 1, resource);
            }

            foreach (var scopeLogs in Fields(resourceLogs, 2))
            {
                foreach (var log in Fields(scopeLogs, 2))
                {
                    var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
                    ReadAttributes(log, 6, attributes);
                    string? text = null;
                    foreach (var b in Fields(log, 5))
                    {
                        text = AnyValue(b) as string;
                    }

                    result.Add(new OtlpLogRecord(text, attributes, resource));
                }
            }
        }

        return result;
    }

    private static void ReadAttributes(byte[] message, int field, Dictionary<string, object?> into)
    {
        foreach (var kv in Fields(message, field))
        {
            string? key = null;
            object? value = null;
            var reader = new Reader(kv);
            while (reader.Next(out var number, out var wire, out var bytes, out _))
            {
                if (number == 1 && wire == 2)
                {
                    key = Encoding.UTF8.GetString(bytes);
                }
                else if (number == 2 && wire == 2)
                {
                    value = AnyValue(bytes);
                }
            }

            if (key is not null)
            {
                into[key] = value;
            }
        }
    }

    private static object? AnyValue(byte[] message)
    {
        var reader = new Reader(message);
        object? value = null;
        while (reader.Next(out var number, out var wire, out var bytes, out var scalar))
        {
            value = (number, wire) switch
            {
                (1, 2) => Encoding.UTF8.GetString(bytes),
                (2, 0) => scalar != 0,
                (3, 0) => (long)scalar,
                (4, 1) => BitConverter.Int64BitsToDouble((long)scalar),
                (7, 2) => bytes,
                _ => value,
            };
        }

        return value;
    }

    private static List<byte[]> Fields(ReadOnlySpan<byte> message, int field)
    {
        var found = new List<byte[]>();
        var reader = new Reader(message.ToArray());
        while (reader.Next(out var number, out var wire, out var bytes, out _))
        {
            if (number == field && wire == 2)
            {
                found.Add(bytes);
            }
        }

        return found;
    }

    /// <summary>Protobuf wire format: tag varint, then a varint (0), fixed64 (1), length-delimited bytes (2) or fixed32 (5).</summary>
    private sealed class Reader(byte[] data)
    {
        private int _position;

        public bool Next(out int number, out int wire, out byte[] bytes, out ulong scalar)
        {
            bytes = [];
            scalar = 0;
            number = 0;
            wire = 0;
            if (_position >= data.Length)
            {
                return false;
            }

            var tag = Varint();
            number = (int)(tag >> 3);
            wire = (int)(tag & 7);
            switch (wire)
            {
                case 0:
                    scalar = Varint();
                    break;
                case 1:
                    scalar = BitConverter.ToUInt64(data, _position);
                    _position += 8;
                    break;
                case 2:
                    var length = (int)Varint();
                    bytes = data.AsSpan(_position, length).ToArray();
                    _position += length;
                    break;
                case 5:
                    scalar = BitConverter.ToUInt32(data, _position);
                    _position += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {wire} is not used by OTLP");
            }

            return true;
        }

        private ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = data[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new InvalidDataException("varint longer than 10 bytes");
        }
    }
}
