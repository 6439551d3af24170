using System.IO.Pipelines;
using Google.Protobuf;
using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Protocol;
using Mesh.Gateway.Grpc.Tests.Infrastructure;
using Mesh.Gateway.Grpc.Tests.Protos;
using Xunit;

namespace Mesh.Gateway.Grpc.Tests;

public sealed class ProtocolUnitTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("100m", 1_000_000L)]
    [InlineData("5u", 50L)]
    [InlineData("1000n", 10L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    [InlineData("0m", 0L)]
    public void GrpcTimeout_TryParse_ValidValues_Ticks(string value, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(value, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("m")]
    [InlineData("123456789m")]
    [InlineData("1.5S")]
    [InlineData("+1S")]
    [InlineData(" 1S")]
    [InlineData("1s")]
    [InlineData("1D")]
    public void GrpcTimeout_TryParse_InvalidValues_False(string value) => Assert.False(GrpcTimeout.TryParse(value, out _));

    [Theory]
    [InlineData(1L)]
    [InlineData(999_999L)]
    [InlineData(3_000_000L)]
    [InlineData(123_456_789_012L)]
    [InlineData(36_000_000_000_000L)]
    public void GrpcTimeout_Format_RoundTripsWithoutShortening(long ticks)
    {
        var formatted = GrpcTimeout.Format(TimeSpan.FromTicks(ticks));

        Assert.InRange(formatted.Length, 2, 9);
        Assert.True(GrpcTimeout.TryParse(formatted, out var parsed));
        Assert.True(parsed.Ticks >= ticks, $"{formatted} = {parsed.Ticks} < {ticks}");
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100%", "100%25")]
    [InlineData("\t\n", "%09%0A")]
    [InlineData("\u263A", "%E2%98%BA")]
    [InlineData("\U0001F608", "%F0%9F%98%88")]
    public void GrpcMessageEncoding_Encode_PercentEncodesOutsidePrintableAscii(string message, string encoded)
    {
        Assert.Equal(encoded, GrpcMessageEncoding.Encode(message));
        Assert.Equal(message, GrpcMessageEncoding.Decode(encoded));
    }

    [Theory]
    [InlineData("bad %ZZ escape", "bad %ZZ escape")]
    [InlineData("trailing %", "trailing %")]
    [InlineData("half %4", "half %4")]
    public void GrpcMessageEncoding_Decode_MalformedEscapes_PassedThrough(string value, string expected)
        => Assert.Equal(expected, GrpcMessageEncoding.Decode(value));

    [Theory]
    [InlineData("q6ur", new byte[] { 0xab, 0xab, 0xab })]
    [InlineData("AQ", new byte[] { 1 })]
    [InlineData("AQ==", new byte[] { 1 })]
    [InlineData("AQI", new byte[] { 1, 2 })]
    public void MetadataConverter_DecodeBase64_PaddedAndUnpadded(string value, byte[] expected)
        => Assert.Equal(expected, MetadataConverter.DecodeBase64(value));

    [Fact]
    public void MetadataConverter_Add_CommaJoinedBinaryValues_SplitIntoEntries()
    {
        var metadata = new Metadata();

        MetadataConverter.Add(metadata, "x-bin", "AQ, Ag==");

        Assert.Equal([[1], [2]], metadata.GetAll("x-bin").Select(e => e.ValueBytes));
    }

    [Fact]
    public void Metadata_Keys_LowercasedAndValidated()
    {
        var metadata = new Metadata { { "X-Custom", "v" } };

        Assert.Equal("x-custom", metadata[0].Key);
        Assert.Throws<ArgumentException>(() => metadata.Add("bad key", "v"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-bin", "ascii value for binary key"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-ascii", new byte[] { 1 }));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-ascii", "non-ascii \u263A"));
    }

    [Theory]
    [InlineData("127.0.0.1:50051", "127.0.0.1", 50051, null)]
    [InlineData("[::1]:0", "::1", 0, null)]
    [InlineData("localhost:8080", null, 8080, null)]
    [InlineData("*:50051", null, 50051, null)]
    [InlineData("unix:/tmp/mesh.sock", null, 0, "/tmp/mesh.sock")]
    public void GrpcListenAddress_TryParse_ValidAddresses(string value, string? ip, int port, string? path)
    {
        Assert.True(GrpcListenAddress.TryParse(value, out var address, out var error), error);
        Assert.Equal(ip, address!.IPAddress?.ToString());
        Assert.Equal(port, address.Port);
        Assert.Equal(path, address.UnixSocketPath);
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("50051", "expected host:port")]
    [InlineData("127.0.0.1:99999", "port must be a number")]
    [InlineData("example.com:80", "host must be an IP address")]
    [InlineData("unix:relative.sock", "must be absolute")]
    public void GrpcListenAddress_TryParse_InvalidAddresses_SayWhatIsWrong(string value, string expected)
    {
        Assert.False(GrpcListenAddress.TryParse(value, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrpcMessageReader_FramesSplitAcrossWritesAtEveryByte_ReadsEveryMessage()
    {
        var messages = Enumerable.Range(0, 3).Select(i => new EchoRequest { Text = "message " + i, Payload = ByteString.CopyFrom(new byte[i * 100]) }).ToList();
        var bytes = messages.SelectMany(m => RawGrpc.Frame(m)).ToArray();
        var pipe = new Pipe();
        var options = new MessageReadOptions(1024 * 1024, null);

        var writer = Task.Run(async () =>
        {
            foreach (var b in bytes)
            {
                await pipe.Writer.WriteAsync(new[] { b }, TestContext.Current.CancellationToken);
            }

            await pipe.Writer.CompleteAsync();
        }, TestContext.Current.CancellationToken);

        var read = new List<EchoRequest>();
        while (await GrpcMessageReader.ReadStreamMessageAsync(pipe.Reader, options, c => EchoRequest.Parser.ParseFrom(c.PayloadAsReadOnlySequence()), TestContext.Current.CancellationToken) is { } message)
        {
            read.Add(message);
        }

        await writer;
        Assert.Equal(messages, read);
    }

    [Fact]
    public void GrpcSerializationContext_ZeroCopyPath_WritesPrefixThenPayload()
    {
        var context = new GrpcSerializationContext();
        var destination = new System.Buffers.ArrayBufferWriter<byte>();
        var message = new EchoRequest { Text = "framed" };
        var marshaller = Marshallers.Create<EchoRequest>((m, c) => { c.SetPayloadLength(m.CalculateSize()); m.WriteTo(c.GetBufferWriter()); c.Complete(); }, c => EchoRequest.Parser.ParseFrom(c.PayloadAsReadOnlySequence()));

        context.WriteMessage(destination, message, marshaller.ContextualSerializer, compress: false, maxSize: null);

        Assert.Equal(RawGrpc.Frame(message), destination.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task GrpcMessageReader_TryReadSingleMessage_WholeRequestArrived_ReadsWithoutWaiting()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(RawGrpc.Frame(new EchoRequest { Text = "one" }), TestContext.Current.CancellationToken);
        await pipe.Writer.CompleteAsync();

        Assert.True(GrpcMessageReader.TryReadSingleMessage(pipe.Reader, new MessageReadOptions(1024, null), Parse, out var message));

        Assert.Equal("one", message.Text);
    }

    [Fact]
    public async Task GrpcMessageReader_TryReadSingleMessage_EndOfStreamNotYetArrived_LeavesTheDataForTheAsyncRead()
    {
        var pipe = new Pipe();
        var options = new MessageReadOptions(1024, null);
        await pipe.Writer.WriteAsync(RawGrpc.Frame(new EchoRequest { Text = "two" }), TestContext.Current.CancellationToken);

        Assert.False(GrpcMessageReader.TryReadSingleMessage(pipe.Reader, options, Parse, out _));
        await pipe.Writer.CompleteAsync();
        var message = await GrpcMessageReader.ReadSingleMessageAsync(pipe.Reader, options, Parse, TestContext.Current.CancellationToken);

        Assert.Equal("two", message.Text);
    }

    [Theory]
    [InlineData(2, "Additional data after the message received.")]
    [InlineData(0, "Incomplete message.")]
    public async Task GrpcMessageReader_TryReadSingleMessage_ExtraOrMissingBytes_Internal(int messages, string detail)
    {
        var pipe = new Pipe();
        var frame = RawGrpc.Frame(new EchoRequest { Text = "three" });
        var body = messages == 0 ? frame[..^1] : [.. frame, .. frame];
        await pipe.Writer.WriteAsync(body, TestContext.Current.CancellationToken);
        await pipe.Writer.CompleteAsync();

        var ex = Assert.Throws<RpcException>(() => GrpcMessageReader.TryReadSingleMessage(pipe.Reader, new MessageReadOptions(1024, null), Parse, out _));

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Equal(detail, ex.Status.Detail);
    }

    private static EchoRequest Parse(DeserializationContext context) => EchoRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence());
}
