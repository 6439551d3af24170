using Google.Protobuf;
using Grpc.Core;
using Grpc.Reflection.V1Alpha;
using Mesh.Gateway.Grpc.Internal.Server;
using V1 = Grpc.Reflection.V1;

namespace Mesh.Gateway.Grpc.Internal.Reflection;

/// <summary>grpc.reflection.v1alpha.ServerReflection over the services mapped with MapGrpcService.</summary>
/// <remarks>
/// v1alpha's messages are wire-identical to v1's (same fields and numbers), so each request is re-read as v1,
/// answered by <see cref="ReflectionServiceV1"/>, and the answer re-read as v1alpha: one implementation, two packages.
/// </remarks>
internal sealed class ReflectionServiceV1alpha(GrpcServiceRegistry registry) : ServerReflection.ServerReflectionBase
{
    public override async Task ServerReflectionInfo(IAsyncStreamReader<ServerReflectionRequest> requestStream, IServerStreamWriter<ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        var index = new ReflectionIndex(registry.ServiceNames, registry.Descriptors);
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            var answer = ReflectionServiceV1.Answer(index, V1.ServerReflectionRequest.Parser.ParseFrom(request.ToByteString()));
            await responseStream.WriteAsync(ServerReflectionResponse.Parser.ParseFrom(answer.ToByteString())).ConfigureAwait(false);
        }
    }
}
