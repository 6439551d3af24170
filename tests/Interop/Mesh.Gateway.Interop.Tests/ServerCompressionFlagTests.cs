using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Testing;
using Mesh.Gateway.Interop.Tests.Infrastructure;

namespace Mesh.Gateway.Interop.Tests;

/// <summary>
/// server_compressed_unary and server_compressed_streaming at the byte level: grpc-js and grpcio decompress silently and
/// cannot see the per-message compressed flag, so a raw HTTP/2 client reads it here.
/// </summary>
public sealed class ServerCompressionFlagTests(InteropServerFixture server) : IClassFixture<InteropServerFixture>
{
    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task UnaryCall_ResponseCompressedAsked_FlagFollows(bool compressed, byte expectedFlag)
    {
        var request = new SimpleRequest { ResponseSize = 314159, ResponseCompressed = new BoolValue { Value = compressed } };

        var (response, frames) = await CallAsync("UnaryCall", request);

        var frame = Assert.Single(frames);
        Assert.Equal(expectedFlag, frame.Flag);
        Assert.Equal(314159, SimpleResponse.Parser.ParseFrom(Decode(frame, response)).Payload.Body.Length);
        if (compressed)
        {
            Assert.True(frame.Payload.Length < 10_000, $"a compressed payload of zeros should be small, was {frame.Payload.Length} bytes");
        }
    }

    [Fact]
    public async Task StreamingOutputCall_PerMessageCompressed_FlagsFollow()
    {
        var request = new StreamingOutputCallRequest
        {
            ResponseParameters =
            {
                new ResponseParameters { Size = 31415, Compressed = new BoolValue { Value = true } },
                new ResponseParameters { Size = 92653, Compressed = new BoolValue { Value = false } },
            },
        };

        var (response, frames) = await CallAsync("StreamingOutputCall", request);

        Assert.Equal([1, 0], frames.Select(f => (int)f.Flag));
        Assert.Equal([31415, 92653], frames.Select(f => StreamingOutputCallResponse.Parser.ParseFrom(Decode(f, response)).Payload.Body.Length));
    }

    [Fact]
    public async Task UnaryCall_ClientAcceptsNoGzip_ResponseNotCompressed()
    {
        var request = new SimpleRequest { ResponseSize = 1000, ResponseCompressed = new BoolValue { Value = true } };

        var (_, frames) = await CallAsync("UnaryCall", request, acceptEncoding: "identity");

        Assert.Equal(0, Assert.Single(frames).Flag);
    }

    private static byte[] Decode((byte Flag, byte[] Payload) frame, HttpResponseMessage response)
    {
        if (frame.Flag == 0)
        {
            return frame.Payload;
        }

        Assert.Equal("gzip", Assert.Single(response.Headers.GetValues("grpc-encoding")));
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(frame.Payload), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private async Task<(HttpResponseMessage Response, List<(byte Flag, byte[] Payload)> Frames)> CallAsync(string method, IMessage request, string acceptEncoding = "gzip")
    {
        using var client = new HttpClient();
        var body = request.ToByteArray();
        var framed = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)body.Length);
        body.CopyTo(framed, 5);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{server.Port}/grpc.testing.TestService/{method}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(framed),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        message.Headers.TryAddWithoutValidation("grpc-accept-encoding", acceptEncoding);

        var response = await client.SendAsync(message, TestContext.Current.CancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal("0", Assert.Single(response.TrailingHeaders.GetValues("grpc-status")));

        var frames = new List<(byte, byte[])>();
        for (var offset = 0; offset < bytes.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 1, 4));
            frames.Add((bytes[offset], bytes.AsSpan(offset + 5, length).ToArray()));
            offset += 5 + length;
        }

        return (response, frames);
    }
}
