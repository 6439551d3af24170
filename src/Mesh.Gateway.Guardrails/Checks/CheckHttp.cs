using System.Net.Http.Headers;

namespace Mesh.Gateway.Guardrails.Checks;

/// <summary>The one POST the HTTP checks make: JSON in, the body back, or an error code (never an exception but cancellation).</summary>
internal static class CheckHttp
{
    internal readonly record struct Response(byte[] Body, string? Error);

    public static async ValueTask<Response> PostAsync(HttpClient http, Uri url, string? apiKey, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(json) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (!string.IsNullOrEmpty(apiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return new Response([], "http_" + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return new Response(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (HttpRequestException)
        {
            return new Response([], "unreachable");
        }
    }
}
