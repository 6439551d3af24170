using System.Buffers;
using System.Text.Json;
using Mesh.Gateway.Sidecar.Configuration;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>The admin listener's configuration endpoints: <c>POST /admin/reload</c>, and the version shown by <c>/readyz</c>.</summary>
internal static class ConfigurationEndpoints
{
    /// <summary>Maps <c>POST /admin/reload</c> to <see cref="Reload"/>, for an operator (<see cref="AdminCredentials.RequireOperator"/>).</summary>
    public static void MapConfigurationEndpoints(this IEndpointRouteBuilder admin) =>
        admin.MapPost("/admin/reload", AdminCredentials.RequireOperator(static context =>
            Reload(context.RequestServices.GetRequiredService<ConfigurationReloader>()).ExecuteAsync(context)));

    /// <summary>Reads the file again: 200 with the version in force when applied or unchanged, 422 with every error when refused.</summary>
    /// <remarks>A plain method so the admin API's authentication can wrap it.</remarks>
    public static IResult Reload(ConfigurationReloader reloader)
    {
        ArgumentNullException.ThrowIfNull(reloader);
        var outcome = reloader.Reload();
        var body = Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("result", outcome.Result switch
            {
                ReloadResult.Applied => "applied",
                ReloadResult.Unchanged => "unchanged",
                ReloadResult.Rejected => "rejected",
                _ => "not_from_a_file",
            });
            writer.WritePropertyName("errors");
            WriteStrings(writer, outcome.Errors);
            writer.WritePropertyName("configuration");
            WriteStatus(writer, outcome.Status);
            writer.WriteEndObject();
        });
        return new JsonBody(body, outcome.Result == ReloadResult.Rejected ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK);
    }

    /// <summary>The <c>/readyz</c> body: readiness and the configuration in force (and the last refused one).</summary>
    public static byte[] Readiness(ReadinessState readiness, ConfigurationStatus? status) => Json(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("status", readiness.Status);
        if (status is not null)
        {
            writer.WritePropertyName("configuration");
            WriteStatus(writer, status);
        }

        writer.WriteEndObject();
    });

    private static void WriteStatus(Utf8JsonWriter writer, ConfigurationStatus status)
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", status.Version);
        writer.WriteString("sha256", status.Sha256);
        writer.WriteString("applied_at", status.AppliedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        writer.WritePropertyName("restart_required");
        WriteStrings(writer, status.RestartRequired);
        if (status.Rejected is { } rejected)
        {
            writer.WriteStartObject("rejected");
            writer.WriteString("sha256", rejected.Sha256);
            writer.WriteString("at", rejected.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            writer.WritePropertyName("errors");
            WriteStrings(writer, rejected.Errors);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, IEnumerable<string> items)
    {
        writer.WriteStartArray();
        foreach (var item in items)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>JSON already written, with its status code (Results.Bytes always answers 200).</summary>
    internal sealed class JsonBody(byte[] body, int statusCode) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.StatusCode = statusCode;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.ContentLength = body.Length;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
