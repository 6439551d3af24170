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

    [Fact]
    public async Task ChatCompletions_OverH2cWithPriorKnowledge_AnsweredOverHttp2()
    {
        fixture.Upstream.Enqueue(UpstreamReplies.Text("openai", "Over h2c."));
        using var client = new HttpClient { BaseAddress = fixture.Sidecar.HttpH2cAddress, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(Body, Encoding.UTF8, "application/json"), Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", HttpDoorFixture.Key);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Contains("Over h2c.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletions_NghttpPriorKnowledge_Answered()
    {
        fixture.Upstream.Enqueue(UpstreamReplies.Text("openai", "Hello nghttp."));
        var body = Path.GetTempFileName();
        await File.WriteAllTextAsync(body, Body, TestContext.Current.CancellationToken);
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("nghttp") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in (string[])["-d", body, "-H", "content-type: application/json", "-H", "authorization: Bearer " + HttpDoorFixture.Key, "-s", new Uri(fixture.Sidecar.HttpH2cAddress!, "/v1/chat/completions").ToString()])
            {
                start.ArgumentList.Add(arg);
            }

            using var nghttp = System.Diagnostics.Process.Start(start)!;
            var stdout = nghttp.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = nghttp.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await nghttp.WaitForExitAsync(TestContext.Current.CancellationToken);

            Assert.True(nghttp.ExitCode == 0, await stderr);
            Assert.Contains("Hello nghttp.", await stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(body);
        }
    }

    [Fact]
    public async Task Http11_OnTheH2cListener_Refused()
    {
        // Kestrel answers an HTTP/1.x request on an HTTP/2-only endpoint with 400 and closes; the call never reaches the door.
        using var client = new HttpClient { BaseAddress = fixture.Sidecar.HttpH2cAddress, DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var content = new StringContent(Body, Encoding.UTF8, "application/json");

        using var response = await client.PostAsync("/v1/chat/completions", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpVersion.Version11, response.Version);
    }
}
