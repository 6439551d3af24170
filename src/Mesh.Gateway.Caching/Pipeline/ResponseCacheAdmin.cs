using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Caching.Pipeline;

/// <summary>The admin listener's purge: <c>DELETE /cache?tenant=T[&amp;route=R[&amp;key=HASH[&amp;user=U]]]</c> answers <c>{"purged":N}</c>.</summary>
internal static class ResponseCacheAdmin
{
    public static async Task PurgeAsync(HttpContext http)
    {
        var cache = (ResponseCache)http.RequestServices.GetService(typeof(ResponseCache))!;
        var query = http.Request.Query;
        string? Get(string name) => query.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v.ToString() : null;
        var tenant = Get("tenant");
        var route = Get("route");
        var key = Get("key");
        if (tenant is null || (key is not null && route is null))
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync("{\"error\":\"tenant is required (\\\"\\\" is written tenant=-); key needs route\"}", http.RequestAborted).ConfigureAwait(false);
            return;
        }

        var removed = await cache.PurgeAsync(tenant == "-" ? string.Empty : tenant, route, key, Get("user"), http.RequestAborted).ConfigureAwait(false);
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync("{\"purged\":" + removed.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}", http.RequestAborted).ConfigureAwait(false);
    }
}
