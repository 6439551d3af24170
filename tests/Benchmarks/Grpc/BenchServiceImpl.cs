using Google.Protobuf;
using Grpc.Core;
using Mesh.Gateway.Benchmarks.Grpc.Protos;

namespace Mesh.Gateway.Benchmarks.Grpc;

/// <summary>Answers with a zero-filled payload of the requested size (responses cached per size, like the bare endpoint's bytes).</summary>
internal sealed class BenchServiceImpl : BenchService.BenchServiceBase
{
    private static readonly BenchResponse Response1K = new() { Payload = ByteString.CopyFrom(new byte[1024]) };

    public override Task<BenchResponse> Unary(BenchRequest request, ServerCallContext context)
        => Task.FromResult(request.ResponseSize == 1024 ? Response1K : new BenchResponse { Payload = ByteString.CopyFrom(new byte[request.ResponseSize]) });
}
