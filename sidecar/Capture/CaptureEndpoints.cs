using System.Security.Cryptography;
using Mesh.Gateway.Sidecar.Admin;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar.Capture;

/// <summary><c>GET /admin/v1/calls/{id}/capture</c>: a call's captured prompt and answer, for an admin or viewer credential listed
/// in <c>capture.readers</c> (403 for any other); 404 when capture is off, or the call was not captured or has expired.</summary>
internal static class CaptureEndpoints
{
    public static void MapCaptureEndpoints(this IEndpointRouteBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapGet("/admin/v1/calls/{id}/capture", AdminCredentials.RequireViewer(CaptureAsync));
    }

    private static async Task CaptureAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<CaptureOptions>();
        if (!options.Enabled)
        {
            await AdminApi.Fail(context, StatusCodes.Status404NotFound, "capture is off (capture.enabled): no prompt or answer is kept").ConfigureAwait(false);
            return;
        }

        if (!IsReader(context, options))
        {
            await AdminApi.Fail(context, StatusCodes.Status403Forbidden, "this admin credential may not read captures: it is not in capture.readers").ConfigureAwait(false);
            return;
        }

        var id = context.Request.RouteValues["id"] as string ?? string.Empty;
        CapturedCall? capture;
        try
        {
            capture = await context.RequestServices.GetRequiredService<ICaptureStore>().FindAsync(id, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or InvalidOperationException)
        {
            await AdminApi.Fail(context, StatusCodes.Status503ServiceUnavailable, "the capture store (Redis) cannot be read now").ConfigureAwait(false);
            return;
        }

        if (capture is null)
        {
            await AdminApi.Fail(context, StatusCodes.Status404NotFound, $"no capture of call {id}: not captured, dropped (capture.store bounds) or past capture.retention ({options.Retention})").ConfigureAwait(false);
            return;
        }

        await AdminApi.Write(context, capture, AdminJsonContext.Default.CapturedCall).ConfigureAwait(false);
    }

    // Constant time over every reader; AdminCredentials.RequireViewer has already accepted the token as an admin or viewer credential.
    private static bool IsReader(HttpContext context, CaptureOptions options)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            || !ApiKeyHash.TryParse(ApiKeyHash.Format(header["Bearer ".Length..].Trim()), out var presented))
        {
            return false;
        }

        var accepted = false;
        foreach (var reader in options.Readers)
        {
            if (ApiKeyHash.TryParse(reader, out var digest))
            {
                accepted |= CryptographicOperations.FixedTimeEquals(presented, digest);
            }
        }

        return accepted;
    }
}
