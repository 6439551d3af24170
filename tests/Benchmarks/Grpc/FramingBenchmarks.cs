using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Mesh.Gateway.Benchmarks.Grpc.Protos;
using Mesh.Gateway.Grpc.Internal.Protocol;

namespace Mesh.Gateway.Benchmarks.Grpc;

/// <summary>
/// Allocations per unary call in the framing path: write one framed message into a PipeWriter (zero-copy serialization)
/// and read it back from the PipeReader (deserialized before AdvanceTo). The only allocation should be the message parsed.
/// </summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
    private readonly GrpcSerializationContext _serializer = new();
    private readonly MessageReadOptions _readOptions = new(4 * 1024 * 1024, null);
    private readonly HealthCheckResponse _small = new() { Status = HealthCheckResponse.Types.ServingStatus.Serving };
    private readonly BenchResponse _oneKiB = new() { Payload = ByteString.CopyFrom(new byte[1024]) };
    private Marshaller<HealthCheckResponse> _smallMarshaller = null!;
    private Marshaller<BenchResponse> _oneKiBMarshaller = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The marshallers Grpc.Tools generates (zero-copy: SetPayloadLength, GetBufferWriter, ParseFrom(ReadOnlySequence)).
        _smallMarshaller = Marshallers.Create<HealthCheckResponse>(Serialize, c => HealthCheckResponse.Parser.ParseFrom(c.PayloadAsReadOnlySequence()));
        _oneKiBMarshaller = Marshallers.Create<BenchResponse>(Serialize, c => BenchResponse.Parser.ParseFrom(c.PayloadAsReadOnlySequence()));
    }

    /// <summary>Write + read of a 2-byte message: the parsed message object is the only allocation.</summary>
    [Benchmark(Baseline = true)]
    public async ValueTask<HealthCheckResponse> WriteReadSmall() => (await RoundTripAsync(_small, _smallMarshaller).ConfigureAwait(false))!;

    /// <summary>Write + read of a 1 KiB message: the message plus its ByteString payload.</summary>
    [Benchmark]
    public async ValueTask<BenchResponse> WriteRead1KiB() => (await RoundTripAsync(_oneKiB, _oneKiBMarshaller).ConfigureAwait(false))!;

    private async ValueTask<T?> RoundTripAsync<T>(T message, Marshaller<T> marshaller)
        where T : class
    {
        _serializer.WriteMessage(_pipe.Writer, message, marshaller.ContextualSerializer, compress: false, maxSize: null);
        await _pipe.Writer.FlushAsync().ConfigureAwait(false);
        return await GrpcMessageReader.ReadStreamMessageAsync(_pipe.Reader, _readOptions, marshaller.ContextualDeserializer, CancellationToken.None).ConfigureAwait(false);
    }

    private static void Serialize<T>(T message, SerializationContext context)
        where T : IMessage
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }
}
