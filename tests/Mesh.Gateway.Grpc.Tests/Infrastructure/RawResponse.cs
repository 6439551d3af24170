using System.Buffers.Binary;
using System.Net;

namespace Mesh.Gateway.Grpc.Tests.Infrastructure;

/// <summary>What a raw HTTP/2 request got back.</summary>
internal sealed record RawResponse(HttpStatusCode StatusCode, Dictionary<string, string> Headers, Dictionary<string, string> ContentHeaders, Dictionary<string, string> Trailers, byte[] Body)
{
    /// <summary>grpc-status from the trailers, else from the headers (Trailers-Only).</summary>
    public string? GrpcStatus => Trailers.TryGetValue("grpc-status", out var t) ? t : Headers.TryGetValue("grpc-status", out var h) ? h : null;

    public string? GrpcMessage => Trailers.TryGetValue("grpc-message", out var t) ? t : Headers.TryGetValue("grpc-message", out var h) ? h : null;

    public bool IsTrailersOnly => Headers.ContainsKey("grpc-status") && Trailers.Count == 0 && Body.Length == 0;

    /// <summary>The frames of the body: (compressed flag, payload).</summary>
    public List<(byte Flag, byte[] Payload)> Frames()
    {
        var frames = new List<(byte, byte[])>();
        var offset = 0;
        while (offset + 5 <= Body.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(Body.AsSpan(offset + 1));
            frames.Add((Body[offset], Body.AsSpan(offset + 5, length).ToArray()));
            offset += 5 + length;
        }

        return frames;
    }
}
