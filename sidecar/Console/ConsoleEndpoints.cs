using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mesh.Gateway.Sidecar.Console;

/// <summary>Serves the console's page, script and style, embedded in the sidecar (no build step, no CDN). They hold no data: every
/// figure comes from the admin API, which asks for the admin credential.</summary>
internal static class ConsoleEndpoints
{
    private static readonly Dictionary<string, (string ContentType, byte[] Bytes)> Files = Load();

    public static void MapConsole(this IEndpointRouteBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapGet("/", static context =>
        {
            context.Response.Redirect("/console/");
            return Task.CompletedTask;
        });
        admin.MapGet("/console/{file?}", static context =>
        {
            var name = context.Request.RouteValues["file"] as string is { Length: > 0 } file ? file : "index.html";
            if (!Files.TryGetValue(name, out var found))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            context.Response.ContentType = found.ContentType;
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            return context.Response.Body.WriteAsync(found.Bytes).AsTask();
        });
    }

    private static Dictionary<string, (string, byte[])> Load()
    {
        var assembly = typeof(ConsoleEndpoints).Assembly;
        var files = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(static n => n.StartsWith("console/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var name = resource["console/".Length..];
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            files[name] = (type, memory.ToArray());
        }

        return files;
    }
}
