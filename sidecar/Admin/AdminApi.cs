using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mesh.Gateway.Sidecar.Console;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Tenancy.VirtualKeys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>The admin API under <c>/admin/v1</c> (virtual keys, call log, charts' figures, spend, configuration in force); every
/// endpoint needs an admin credential (<see cref="AdminCredentials"/>): key management the <c>admin</c> role, reading the
/// <c>viewer</c> role or above.</summary>
internal static class AdminApi
{
    private const int MaxCalls = 1000;

    public static void MapAdminApi(this IEndpointRouteBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapGet("/admin/v1/keys", AdminCredentials.Require(ListKeysAsync));
        admin.MapPost("/admin/v1/keys", AdminCredentials.Require(StoreUnavailableAs503(CreateKeyAsync)));
        admin.MapMethods("/admin/v1/keys/{id}", [HttpMethods.Patch], AdminCredentials.Require(StoreUnavailableAs503(UpdateKeyAsync)));
        admin.MapPost("/admin/v1/keys/{id}/rotate", AdminCredentials.Require(StoreUnavailableAs503(RotateKeyAsync)));
        admin.MapPost("/admin/v1/keys/{id}/revoke", AdminCredentials.Require(StoreUnavailableAs503(RevokeKeyAsync)));
        admin.MapGet("/admin/v1/calls", AdminCredentials.RequireViewer(CallsAsync));
        admin.MapGet("/admin/v1/stats", AdminCredentials.RequireViewer(StatsAsync));
        admin.MapGet("/admin/v1/spend", AdminCredentials.RequireViewer(SpendAsync));
        admin.MapGet("/admin/v1/config", AdminCredentials.RequireViewer(ConfigAsync));
        admin.MapGet("/admin/v1/whoami", AdminCredentials.RequireViewer(WhoAmIAsync));
    }

    // A change that cannot be written to the key store is refused whole (never applied to this sidecar alone).
    private static RequestDelegate StoreUnavailableAs503(RequestDelegate handler) => async context =>
    {
        try
        {
            await handler(context).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the store throws (Redis down, timed out), the answer is the same 503.
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
#pragma warning restore CA1031
        {
            await Fail(context, StatusCodes.Status503ServiceUnavailable, "the key store is unreachable; nothing was changed (keys already synced keep working)").ConfigureAwait(false);
        }
    };

    private static Task ListKeysAsync(HttpContext context)
    {
        var registry = context.RequestServices.GetRequiredService<VirtualKeyRegistry>();
        var store = context.RequestServices.GetRequiredService<IVirtualKeyStore>().Name;
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var list = new AdminDtos.KeyList([.. registry.List().Select(k => View(k, now))], registry.LastSynced, store);
        return Write(context, list, AdminJsonContext.Default.KeyList);
    }

    private static async Task CreateKeyAsync(HttpContext context)
    {
        var (body, where) = await ReadWithPathAsync(context, AdminJsonContext.Default.CreateKeyBody).ConfigureAwait(false);
        if (body is null)
        {
            await Fail(context, 400, (where is null ? string.Empty : $"{where}: not a known field, or not of its type; ") + "the body must be JSON: {\"tenant\": \"...\", \"name\": \"...\", \"models\": [...], \"expires_at\": \"...\", \"labels\": {...}, \"limits\": {\"requests_per_minute\": n, \"tokens_per_minute\": n}, \"budget\": {\"per_day_usd\": x, \"per_month_usd\": x}}").ConfigureAwait(false);
            return;
        }

        var registry = context.RequestServices.GetRequiredService<VirtualKeyRegistry>();
        var change = await registry.CreateAsync(new VirtualKeyRequest
        {
            TenantId = body.Tenant ?? string.Empty,
            Name = body.Name ?? string.Empty,
            Models = body.Models ?? [],
            ExpiresAt = body.ExpiresAt,
            Labels = body.Labels ?? [],
            Limits = body.Limits,
            Budget = body.Budget,
        }, context.RequestAborted).ConfigureAwait(false);
        await Issued(context, change, StatusCodes.Status201Created).ConfigureAwait(false);
    }

    private static async Task UpdateKeyAsync(HttpContext context)
    {
        var (body, where) = await ReadWithPathAsync(context, AdminJsonContext.Default.UpdateKeyBody).ConfigureAwait(false);
        if (body is null)
        {
            await Fail(context, 400, (where is null ? string.Empty : $"{where}: not a known field, or not of its type; ") + "the body must be JSON: {\"limits\": {\"requests_per_minute\": n, \"tokens_per_minute\": n}, \"budget\": {\"per_day_usd\": x, \"per_month_usd\": x, \"alert_at\": 0.8}} (each replaces the key's own; {} removes it)").ConfigureAwait(false);
            return;
        }

        var registry = context.RequestServices.GetRequiredService<VirtualKeyRegistry>();
        var change = await registry.UpdateLimitsAsync((string)context.Request.RouteValues["id"]!, body.Limits, body.Budget, context.RequestAborted).ConfigureAwait(false);
        if (change.Error is { } error)
        {
            await Fail(context, change.NotFound ? 404 : 400, error).ConfigureAwait(false);
            return;
        }

        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        await Write(context, View(change.Key!, now), AdminJsonContext.Default.KeyView).ConfigureAwait(false);
    }

    private static async Task RotateKeyAsync(HttpContext context)
    {
        var body = context.Request.ContentLength == 0 || context.Request.ContentType is null
            ? new AdminDtos.RotateKeyBody()
            : await ReadAsync(context, AdminJsonContext.Default.RotateKeyBody).ConfigureAwait(false);
        if (body is null)
        {
            await Fail(context, 400, "the body must be JSON: {\"overlap_seconds\": 3600}").ConfigureAwait(false);
            return;
        }

        var overlap = TimeSpan.FromSeconds(body.OverlapSeconds ?? 0);
        var registry = context.RequestServices.GetRequiredService<VirtualKeyRegistry>();
        var change = await registry.RotateAsync((string)context.Request.RouteValues["id"]!, overlap, context.RequestAborted).ConfigureAwait(false);
        await Issued(context, change, StatusCodes.Status200OK).ConfigureAwait(false);
    }

    private static async Task RevokeKeyAsync(HttpContext context)
    {
        var registry = context.RequestServices.GetRequiredService<VirtualKeyRegistry>();
        var change = await registry.RevokeAsync((string)context.Request.RouteValues["id"]!, context.RequestAborted).ConfigureAwait(false);
        if (change.Error is { } error)
        {
            await Fail(context, change.NotFound ? 404 : 400, error).ConfigureAwait(false);
            return;
        }

        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        await Write(context, View(change.Key!, now), AdminJsonContext.Default.KeyView).ConfigureAwait(false);
    }

    private static async Task CallsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var filter = CallFilter.Parse(query, context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        var (matched, kept, source) = await RecordsAsync(context, filter.Matches).ConfigureAwait(false);
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, MaxCalls) : 200;
        var rows = matched.AsEnumerable().Reverse().Take(limit).ToList();
        var captured = context.RequestServices.GetService<Capture.ICaptureStore>() is { } captures && context.RequestServices.GetRequiredService<Capture.CaptureOptions>().Enabled
            ? await captures.CapturedAsync([.. rows.Select(static r => r.RequestId)], context.RequestAborted).ConfigureAwait(false)
            : null;
        var newest = rows.Select(r => ToCall(r, captured)).ToList();
        await Write(context, new AdminDtos.CallList(newest, matched.Count, kept, source), AdminJsonContext.Default.CallList).ConfigureAwait(false);
    }

    // The fleet's calls when the ledger goes to a Redis stream every sidecar writes to (ledger.redis_stream), else this sidecar's;
    // this sidecar's too while the stream cannot be read, and the answer says which it is.
    private static async Task<(List<UsageRecord> Matched, long Kept, string Source)> RecordsAsync(HttpContext context, Func<UsageRecord, bool> filter)
    {
        var local = context.RequestServices.GetRequiredService<RecentCalls>();
        if (context.RequestServices.GetService<ILedgerReader>() is not { } reader)
        {
            return (local.Snapshot(filter), local.Total, "this sidecar");
        }

        try
        {
            var all = await reader.ReadRecentAsync(local.Capacity, context.RequestAborted).ConfigureAwait(false);
            return ([.. all.Where(filter)], all.Count, "fleet: " + reader.Name);
        }
#pragma warning disable CA1031 // Whatever the store throws, the console still shows this sidecar's calls, saying so.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return (local.Snapshot(filter), local.Total, $"this sidecar only: {reader.Name} cannot be read");
        }
    }

    // The fleet's figures when the ledger goes to a Redis stream (scope=sidecar asks for this sidecar's), else this sidecar's;
    // this sidecar's too while the stream cannot be read, and the answer's source says which. Overhead is this sidecar's.
    private static async Task StatsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var (start, _) = ConsoleStats.Window(now, query);
        var local = context.RequestServices.GetRequiredService<RecentCalls>();
        List<UsageRecord>? records = null;
        var source = "this sidecar";
        if (query["scope"] != "sidecar" && context.RequestServices.GetService<ILedgerReader>() is { } reader)
        {
            try
            {
                records = [.. await reader.ReadSinceAsync(start, local.Capacity, context.RequestAborted).ConfigureAwait(false)];
                source = "fleet: " + reader.Name;
            }
#pragma warning disable CA1031 // Whatever the store throws, the charts still show this sidecar's calls, saying so.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                source = $"this sidecar only: {reader.Name} cannot be read";
            }
        }

        records ??= local.Snapshot(r => r.Timestamp >= start);
        var stats = ConsoleStats.Compute(records, context.RequestServices.GetRequiredService<OverheadSamples>(), now, query, source);
        await Write(context, stats, AdminJsonContext.Default.Stats).ConfigureAwait(false);
    }

    private static async Task SpendAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var by = query["by"].ToString() is { Length: > 0 } b ? b : "key";
        if (by is not ("key" or "tenant" or "route" or "variant"))
        {
            await Fail(context, 400, "by: key, tenant, route or variant").ConfigureAwait(false);
            return;
        }

        var filter = CallFilter.Parse(query, context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        var (records, _, source) = await RecordsAsync(context, filter.Matches).ConfigureAwait(false);
        var rows = records
            .GroupBy(r => by switch { "tenant" => r.TenantId, "route" => r.RouteOrModel, "variant" => ConsoleStats.VariantGroup(r), _ => r.KeyId ?? "(none)" })
            .Select(g => new AdminDtos.SpendRow(g.Key, g.Count(), g.Sum(static r => r.InputTokens), g.Sum(static r => r.OutputTokens), g.Sum(static r => r.CostUsd)))
            .OrderByDescending(static r => r.CostUsd)
            .ThenBy(static r => r.Group, StringComparer.Ordinal)
            .ToList();
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var report = new AdminDtos.SpendReport(filter.From ?? records.FirstOrDefault()?.Timestamp ?? now, filter.To ?? now, by, rows, rows.Sum(static r => r.CostUsd), source);
        await Write(context, report, AdminJsonContext.Default.SpendReport).ConfigureAwait(false);
    }

    // The role of the credential presented, so the console shows a viewer only what it may use.
    private static Task WhoAmIAsync(HttpContext context)
    {
        var role = context.Items[typeof(AdminRole)] is AdminRole.Admin ? "admin" : "viewer";
        return Write(context, new AdminDtos.WhoAmI(role), AdminJsonContext.Default.WhoAmI);
    }

    private static Task ConfigAsync(HttpContext context)
    {
        var configuration = context.RequestServices.GetRequiredService<IConfiguration>();
        return Write(context, ConfigurationView.Of(configuration), AdminJsonContext.Default.ConfigView);
    }

    private static async Task Issued(HttpContext context, VirtualKeyChange change, int status)
    {
        if (change.Error is { } error)
        {
            await Fail(context, change.NotFound ? 404 : 400, error).ConfigureAwait(false);
            return;
        }

        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        await Write(context, new AdminDtos.IssuedKey(View(change.Issued!.Key, now), change.Issued.Secret), AdminJsonContext.Default.IssuedKey).ConfigureAwait(false);
    }

    internal static AdminDtos.KeyView View(VirtualKey key, DateTimeOffset now) => new(
        key.Id,
        key.TenantId,
        key.Name,
        key.Models,
        key.ExpiresAt,
        key.Labels,
        key.CreatedAt,
        key.RevokedAt,
        key.PreviousValidUntil is { } until && until > now ? until : null,
        key.RevokedAt is not null ? "revoked" : key.ExpiresAt is { } expires && expires <= now ? "expired" : "active",
        key.Limits,
        key.Budget);

    private static AdminDtos.Call ToCall(UsageRecord r, IReadOnlySet<string>? captured) => new(
        r.Timestamp, r.RequestId, r.TenantId, r.KeyId, r.RouteOrModel, r.Model, r.Provider, r.Operation, r.Status,
        r.InputTokens, r.OutputTokens, r.CostUsd, r.LatencyMs, r.Door, r.GuardrailActions, captured?.Contains(r.RequestId) == true);

    private static async Task<T?> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class => (await ReadWithPathAsync(context, type).ConfigureAwait(false)).Body;

    // The body, or null and where it went wrong (e.g. limits.request_per_minute, a typo that must not pass as "unlimited").
    private static async Task<(T? Body, string? Where)> ReadWithPathAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return (await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted).ConfigureAwait(false), null);
        }
        catch (JsonException ex)
        {
            return (null, ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null);
        }
    }

    internal static Task Fail(HttpContext context, int status, string error)
    {
        context.Response.StatusCode = status;
        return Write(context, new AdminDtos.Problem(error), AdminJsonContext.Default.Problem);
    }

    internal static Task Write<T>(HttpContext context, T value, JsonTypeInfo<T> type)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }
}
