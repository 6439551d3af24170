using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Health.V1;
using Mesh.Gateway.FunctionalTests.Infrastructure;

namespace Mesh.Gateway.FunctionalTests.Grpc;

/// <summary>
/// What the gRPC server layer (Grpc.AspNetCore in the sidecar) answers to requests a gRPC service never sees: issue 16's
/// holes, each against a real sidecar on loopback.
/// </summary>
public sealed class ServerLayerTests(SidecarFixture sidecar) : IClassFixture<SidecarFixture>
{
    private const string CheckPath = "/grpc.health.v1.Health/Check";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MappedMethod_JsonContentType_Http415()
    {
        using var client = new HttpClient();
        using var request = Http2Post(CheckPath, new ByteArrayContent("{}"u8.ToArray()));
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await client.SendAsync(request, Ct);

        // The gRPC over HTTP/2 spec: a content-type that does not start with application/grpc gets HTTP 415.
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task StringField_InvalidUtf8_InvalidArgument()
    {
        // HealthCheckRequest.service (field 1, string) = C3 28: a lead byte followed by a byte that cannot continue it.
        var call = sidecar.Channel.CreateCallInvoker().AsyncUnaryCall(RawCheck, null, new CallOptions(cancellationToken: Ct), [0x0A, 0x02, 0xC3, 0x28]);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("UTF-8", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_NotProtobuf_InvalidArgument()
    {
        // Field 1 as a length-delimited value 100 bytes long, of which 1 follows: a truncated message.
        var call = sidecar.Channel.CreateCallInvoker().AsyncUnaryCall(RawCheck, null, new CallOptions(cancellationToken: Ct), [0x0A, 0x64, 0x41]);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task StringField_ValidUtf8WithReplacementCharacter_Served()
    {
        // U+FFFD sent on purpose is valid UTF-8 (EF BF BD): only bytes that are not UTF-8 are refused.
        var response = await new Health.HealthClient(sidecar.Channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
        var call = sidecar.Channel.CreateCallInvoker().AsyncUnaryCall(RawCheck, null, new CallOptions(cancellationToken: Ct), [0x0A, 0x03, 0xEF, 0xBF, 0xBD]);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Metadata_64KiBAuthorization_ResourceExhaustedAndConnectionKept()
    {
        var health = new Health.HealthClient(sidecar.Channel);
        var headers = new Metadata { { "authorization", "Bearer " + new string('k', 64 * 1024) } };

        var error = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest(), headers, cancellationToken: Ct));

        // A status the client can read, not a reset of the connection: the next call on the same channel is served.
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        var ok = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, ok.Status);
    }

    [Fact]
    public async Task Reflection_V1AndV1alpha_ListTheSameServices()
    {
        using var v1 = new global::Grpc.Reflection.V1.ServerReflection.ServerReflectionClient(sidecar.Channel).ServerReflectionInfo(cancellationToken: Ct);
        await v1.RequestStream.WriteAsync(new() { ListServices = string.Empty }, Ct);
        await v1.RequestStream.CompleteAsync();
        Assert.True(await v1.ResponseStream.MoveNext(Ct));
        var v1Services = v1.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).Order().ToList();

        using var v1alpha = new global::Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(sidecar.Channel).ServerReflectionInfo(cancellationToken: Ct);
        await v1alpha.RequestStream.WriteAsync(new() { ListServices = string.Empty }, Ct);
        await v1alpha.RequestStream.CompleteAsync();
        Assert.True(await v1alpha.ResponseStream.MoveNext(Ct));
        var v1alphaServices = v1alpha.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).Order().ToList();

        Assert.Equal(v1Services, v1alphaServices);
        Assert.Contains("mesh.gateway.v1.Inference", v1Services);
        Assert.Contains("envoy.service.ext_proc.v3.ExternalProcessor", v1Services);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", v1Services);
    }

    [Fact]
    public async Task HealthWatch_WholeServer_ServingFirst()
    {
        using var watch = new Health.HealthClient(sidecar.Channel).Watch(new HealthCheckRequest(), cancellationToken: Ct);

        Assert.True(await watch.ResponseStream.MoveNext(Ct));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);
    }

    private static readonly Method<byte[], byte[]> RawCheck = new(
        MethodType.Unary, "grpc.health.v1.Health", "Check", Marshallers.Create(static b => b, static b => b), Marshallers.Create(static b => b, static b => b));

    private HttpRequestMessage Http2Post(string path, HttpContent content) => new(HttpMethod.Post, new Uri(sidecar.Host.GrpcTarget + path))
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Content = content,
    };
}
