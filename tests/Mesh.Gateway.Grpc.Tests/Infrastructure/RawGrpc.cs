using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Mesh.Gateway.Grpc.Tests.Infrastructure;

/// <summary>A raw HTTP/2 client that sends hand-made frames, so tests can see flag bytes, headers and trailers as they are on the wire.</summary>
internal sealed class RawGrpc : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _address;

    public RawGrpc(string address) => _address = address;

    public static byte[] Frame(IMessage message, bool compressedFlag = false) => Frame(message.ToByteArray(), compressedFlag);

    public static byte[] Frame(byte[] payload, bool compressedFlag = false)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressedFlag ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public async Task<RawResponse> SendAsync(string path, byte[] body, Action<HttpRequestMessage>? configure = null, string contentType = "application/grpc", Version? version = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _address + path)
        {
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TE.ParseAdd("trailers");
        configure?.Invoke(request);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new RawResponse(response.StatusCode, Flatten(response.Headers), Flatten(response.Content.Headers), Flatten(response.TrailingHeaders), bytes);
    }

    public void Dispose() => _client.Dispose();

    private static Dictionary<string, string> Flatten(HttpHeaders headers)
        => headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
}
