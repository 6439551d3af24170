using System.Text.Json;
using Mesh.Gateway.Providers.Wire;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.Internal;

/// <summary>Writes a whole JSON answer straight into the response's pipe.</summary>
internal static class JsonResponse
{
    public static async Task WriteAsync<TState>(HttpContext context, TState state, Action<Utf8JsonWriter, TState> write)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        var pipe = context.Response.BodyWriter;
        using (var json = new Utf8JsonWriter(pipe, JsonText.WriterOptions))
        {
            write(json, state);
        }

        await pipe.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Unix seconds now, for the <c>created</c> fields.</summary>
    public static long Now(TimeProvider time) => time.GetUtcNow().ToUnixTimeSeconds();
}
