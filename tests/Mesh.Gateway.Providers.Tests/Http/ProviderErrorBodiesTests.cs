using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Http;
using Mesh.Gateway.Providers.OpenAI;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.Providers.Tests.Http;

/// <summary>Error bodies users pasted from real provider output (Fixtures/provider-errors): the caller gets the provider's message and the right kind.</summary>
public sealed class ProviderErrorBodiesTests
{
    private static readonly JsonArray Entries = JsonNode.Parse(File.ReadAllText(RecordedFixtures.PathOf("provider-errors/real_error_bodies_from_issues.json")))!["entries"]!.AsArray();

    public static TheoryData<int> HttpEntries => [.. Enumerable.Range(0, Entries.Count).Where(i => Entries[i]!["sse_event"] is null)];

    [Theory]
    [MemberData(nameof(HttpEntries))]
    public void FromHttp_RealErrorBody_ProviderMessageAndKind(int index)
    {
        var entry = Entries[index]!;
        var status = (int)entry["status"]!;
        var body = entry["body"] ?? new JsonObject { ["type"] = "error", ["error"] = entry["error_object"]!.DeepClone() };
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        foreach (var (key, value) in entry["headers"]?.AsObject() ?? [])
        {
            response.Headers.TryAddWithoutValidation(key, (string)value!);
        }

        var error = ProviderErrors.FromHttp("p", status, response.Headers, Encoding.UTF8.GetBytes(body.ToJsonString()), DateTimeOffset.UnixEpoch);

        var message = (string)(body["error"]!["message"] ?? body["message"])!;
        Assert.Equal(message, error.Message);
        Assert.Equal(status, error.HttpStatus);
        var expectedKind = body.ToJsonString().Contains("content_filter", StringComparison.Ordinal)
            ? ProviderErrorKind.ContentFilter
            : ProviderError.KindFromHttpStatus(status);
        Assert.Equal(expectedKind, error.Kind);
        Assert.Equal(status is 429 or >= 500, error.IsRetryable);
    }

    [Fact]
    public void FromHttp_GeminiRetryInfo_RetryAfterFromDetails()
    {
        var body = RecordedFixtures.ReadBytes("vercel-ai-fixtures/google/google-429-retry-info.json");

        var error = ProviderErrors.FromHttp("gemini", 429, null, body, DateTimeOffset.UnixEpoch);

        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(34.4), error.RetryAfter);
        Assert.Equal("RESOURCE_EXHAUSTED", error.ProviderErrorType);
    }

    [Fact]
    public void FromHttp_RetryAfterHttpDate_WaitUntilThen()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "Thu, 01 Jan 1970 00:00:30 GMT");

        var error = ProviderErrors.FromHttp("p", 429, response.Headers, "{}"u8, DateTimeOffset.UnixEpoch.AddSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(20), error.RetryAfter);
    }

    [Fact]
    public void FromHttp_RetryAfterMs_PreferredOverSeconds()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "2");
        response.Headers.TryAddWithoutValidation("retry-after-ms", "1500");

        var error = ProviderErrors.FromHttp("p", 429, response.Headers, "{}"u8, DateTimeOffset.UnixEpoch);

        Assert.Equal(TimeSpan.FromMilliseconds(1500), error.RetryAfter);
    }

    [Fact]
    public void FromHttp_NonJsonBody_StatusKindAndBodyText()
    {
        var error = ProviderErrors.FromHttp("p", 502, null, "<html>Bad Gateway</html>"u8, DateTimeOffset.UnixEpoch);

        Assert.Equal(ProviderErrorKind.Server, error.Kind);
        Assert.Equal("<html>Bad Gateway</html>", error.Message);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public void TranslateEvent_RealResponseFailedEvent_OverloadedError()
    {
        var entry = Entries.Single(e => e!["sse_event"] is not null)!;
        var translator = new OpenAIResponsesTranslator("openai");
        var chunks = new List<ChatChunk>();

        var error = translator.TranslateEvent("response.failed", Encoding.UTF8.GetBytes(entry["sse_event"]!.ToJsonString()), chunks);

        Assert.NotNull(error);
        Assert.Equal("Our servers are currently overloaded. Please try again later.", error.Message);
        Assert.Equal(ProviderErrorKind.Overloaded, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Empty(chunks);
    }
}
