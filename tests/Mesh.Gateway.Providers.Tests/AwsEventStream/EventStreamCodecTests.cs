using System.Text;
using System.Text.Json.Nodes;
using Mesh.Gateway.Providers.AwsEventStream;
using Mesh.Gateway.Providers.Tests.Support;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.Providers.Tests.AwsEventStream;

/// <summary>The binary event stream against botocore's vectors and real Bedrock ConverseStream bodies.</summary>
public sealed class EventStreamCodecTests
{
    private static readonly JsonNode Vectors = JsonNode.Parse(File.ReadAllText(RecordedFixtures.PathOf("aws-eventstream/botocore_eventstream_vectors.json")))!;

    public static TheoryData<string> Positive => [.. Vectors["positive"]!.AsArray().Select(v => (string)v!["name"]!)];

    public static TheoryData<string> Negative => [.. Vectors["negative"]!.AsArray().Select(v => (string)v!["name"]!)];

    public static TheoryData<string> BedrockBodies => [.. RecordedFixtures.Files("bedrock-eventstream-bin", "*.bin")];

    [Theory]
    [MemberData(nameof(Positive))]
    public void Decode_BotocoreVector_HeadersAndPayloadMatch(string name)
    {
        var v = Vectors["positive"]!.AsArray().Single(x => (string)x!["name"]! == name)!;

        var message = EventStreamCodec.Decode(Convert.FromHexString((string)v["hex"]!));

        Assert.Equal((string)v["payload"]!, Encoding.UTF8.GetString(message.Payload.Span));
        var headers = v["headers"]!.AsObject();
        Assert.Equal(headers.Count, message.Headers.Count);
        foreach (var (key, spec) in headers)
        {
            var actual = message.Headers[key];
            var expected = spec!["value"];
            switch ((string)spec["type"]!)
            {
                case "bool_true" or "bool_false":
                    Assert.Equal((bool)expected!, actual);
                    break;
                case "int8":
                    Assert.Equal((sbyte)(int)expected!, actual);
                    break;
                case "int16":
                    Assert.Equal((short)(int)expected!, actual);
                    break;
                case "int32":
                    Assert.Equal((int)expected!, actual);
                    break;
                case "int64":
                    Assert.Equal((long)expected!, actual);
                    break;
                case "string":
                    Assert.Equal((string)expected!, actual);
                    break;
                case "bytes" or "byte_array":
                    Assert.Equal((string)spec["value_hex"]!, Convert.ToHexStringLower((byte[])actual));
                    break;
                case "timestamp":
                    Assert.Equal((long)expected!, ((DateTimeOffset)actual).ToUnixTimeMilliseconds());
                    break;
                case "uuid":
                    Assert.Equal((string)spec["value_hex"]!, Convert.ToHexStringLower(((Guid)actual).ToByteArray(bigEndian: true)));
                    break;
                default:
                    Assert.Fail("unknown header type " + spec["type"]);
                    break;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Negative))]
    public void Decode_CorruptedBotocoreVector_Throws(string name)
    {
        var v = Vectors["negative"]!.AsArray().Single(x => (string)x!["name"]! == name)!;
        var expected = (string)v["expected_error"]! switch
        {
            "InvalidPayloadLength" => "message length",
            "InvalidHeadersLength" => "headers length",
            "ChecksumMismatch" => "CRC mismatch",
            "DuplicateHeader" => "duplicate",
            var other => other,
        };

        var ex = Assert.Throws<EventStreamDecodeException>(() => EventStreamCodec.Decode(Convert.FromHexString((string)v["hex"]!)));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BedrockBodies))]
    public async Task ReadAsync_BedrockBodyOneByteAtATime_SameMessagesAsWhole(string file)
    {
        var bytes = RecordedFixtures.ReadBytes(file);
        var whole = await ReadAllAsync(new MemoryStream(bytes));
        var trickled = await ReadAllAsync(new ChunkedStream(bytes, _ => 1));
        var random = new Random(7);
        var chunked = await ReadAllAsync(new ChunkedStream(bytes, _ => random.Next(1, 40)));

        Assert.True(whole.Count > 3);
        Assert.Equal(whole.Select(m => (m.EventType, Encoding.UTF8.GetString(m.Payload.Span))), trickled.Select(m => (m.EventType, Encoding.UTF8.GetString(m.Payload.Span))));
        Assert.Equal(whole.Select(m => (m.EventType, Encoding.UTF8.GetString(m.Payload.Span))), chunked.Select(m => (m.EventType, Encoding.UTF8.GetString(m.Payload.Span))));
        Assert.All(whole, m => Assert.Equal("event", m.MessageType));
    }

    [Fact]
    public async Task ReadAsync_FlippedPayloadByte_ThrowsCrcMismatch()
    {
        var bytes = RecordedFixtures.ReadBytes("bedrock-eventstream-bin/test_bedrock_model_stream.eventstream.bin");
        bytes[40] ^= 0x01;

        var ex = await Assert.ThrowsAsync<EventStreamDecodeException>(() => ReadAllAsync(new MemoryStream(bytes)));
        Assert.Contains("CRC mismatch", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_TruncatedBody_Throws()
    {
        var bytes = RecordedFixtures.ReadBytes("bedrock-eventstream-bin/test_bedrock_model_stream.eventstream.bin");

        var ex = await Assert.ThrowsAsync<EventStreamDecodeException>(() => ReadAllAsync(new MemoryStream(bytes[..^5])));
        Assert.Contains("ended in the middle", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_Event_DecodesBack()
    {
        var bytes = EventStreamEncoder.Event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hé\"}}");

        var message = EventStreamCodec.Decode(bytes);

        Assert.Equal("contentBlockDelta", message.EventType);
        Assert.Equal("{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hé\"}}", Encoding.UTF8.GetString(message.Payload.Span));
        Assert.Equal("000000100000000005c248eb7d98c8ff", Convert.ToHexStringLower(EventStreamEncoder.Encode([], [])));
    }

    private static async Task<List<EventStreamMessage>> ReadAllAsync(Stream stream)
    {
        using var reader = new EventStreamReader(stream);
        var list = new List<EventStreamMessage>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken) is { } message)
        {
            list.Add(message);
        }

        return list;
    }
}
