using Envoy.Service.Auth.V3;
using Grpc.Core;

namespace Mesh.Gateway.Benchmarks.Envoy;

/// <summary>The baseline ext_authz server: allows everything without looking.</summary>
internal sealed class EchoAuthorization : global::Envoy.Service.Auth.V3.Authorization.AuthorizationBase
{
    private static readonly CheckResponse Allow = new() { Status = new Google.Rpc.Status { Code = 0 }, OkResponse = new OkHttpResponse() };

    public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context) => Task.FromResult(Allow);
}
