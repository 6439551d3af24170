using System.Net;
using System.Text;

namespace Mesh.Gateway.FunctionalTests.Http;

/// <summary>The HTTP door answers on its own listener only: the app's gRPC listener and the admin listener do not serve it,
/// and the door's listener serves no gRPC service.</summary>
public sealed class HttpListenerTests(HttpDoorFixture fixture) : IClassFixture<HttpDoorFixture>
{
    private const string Body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    [Fact]
    public async Task ChatCompletions_OnTheAdminListener_NotFound()
    {
        using var content = new StringContent(Body, Encoding.UTF8, "application/json");
        using var response = await fixture.Sidecar.AdminClient.PostAsync("/v1/chat/completions", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ChatCompletions_OnTheGrpcListener_NotFound()
    {
        using var client = new HttpClient { BaseAddress = new Uri(fixture.Sidecar.GrpcTarget), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var content = new StringContent(Body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/chat/completions", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task GrpcHealth_OnTheHttpListener_NotServed()
    {
        using var client = new HttpClient { BaseAddress = fixture.Sidecar.HttpAddress };
        using var content = new ByteArrayContent([0, 0, 0, 0, 0]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        using var response = await client.PostAsync("/grpc.health.v1.Health/Check", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
