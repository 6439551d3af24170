using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Mesh.Gateway.FunctionalTests.Infrastructure;

namespace Mesh.Gateway.FunctionalTests.Console;

/// <summary>The admin API as an operator (or the console) uses it: the credential, virtual keys against the gRPC door, the call
/// log's filters, the spend report and the configuration with secrets masked.</summary>
public sealed class AdminApiTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-admin-").FullName;
    private static readonly string[] FastOnly = ["fast"];
    private ConsoleRig _rig = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _rig = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "ledger.jsonl")));

    public async ValueTask DisposeAsync()
    {
        await _rig.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token")]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("Bearer " + ConsoleRig.TeamAKey)]
    public async Task AdminApi_WithoutTheAdminCredential_401(string? authorization)
    {
        using var client = new HttpClient { BaseAddress = _rig.AdminAddress };
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (var path in (string[])["/admin/v1/keys", "/admin/v1/calls", "/admin/v1/config", "/admin/v1/stats", "/admin/v1/spend"])
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var create = await client.PostAsJsonAsync("/admin/v1/keys", new { tenant = "team-a" }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, create.StatusCode);

        // The operator's older actions too: a reload, a prompt template.
        using var reload = await client.PostAsync(new Uri("/admin/reload", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, reload.StatusCode);
        using var prompt = await client.PutAsJsonAsync("/admin/v1/prompts/p", new { versions = Array.Empty<object>() }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, prompt.StatusCode);
    }

    [Fact]
    public async Task CachePurgeAndReload_NeedTheAdminCredentialWhereOneIsConfigured()
    {
        await using var rig = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "cache.jsonl"), cache: true));
        using var anonymous = new HttpClient { BaseAddress = rig.AdminAddress };

        using (var refused = await anonymous.DeleteAsync(new Uri("/cache?tenant=team-a", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var purged = await rig.Admin.DeleteAsync(new Uri("/cache?tenant=team-a", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
        }

        using var reload = await rig.Admin.PostAsync(new Uri("/admin/reload", UriKind.Relative), null, Ct);
        Assert.NotEqual(HttpStatusCode.Unauthorized, reload.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, reload.StatusCode);
    }

    [Fact]
    public async Task AdminApi_NoCredentialsConfigured_403EvenWithAToken()
    {
        await using var rig = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "other.jsonl"), credentials: false));

        using var response = await rig.Admin.GetAsync(new Uri("/admin/v1/keys", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("admin.credentials", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VirtualKey_CreatedRevoked_AuthenticatesThenRefusedAsRevoked()
    {
        var (id, secret) = await _rig.CreateKeyAsync("team-a", "ci");
        Assert.StartsWith("vk-", id, StringComparison.Ordinal);

        Assert.Null(await _rig.CallAsync(secret));
        Assert.Null(await _rig.CallAsync(secret, model: "fast"));

        using var revoke = await _rig.Admin.PostAsync(new Uri($"/admin/v1/keys/{id}/revoke", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var refused = await _rig.CallAsync(secret);
        Assert.Equal(StatusCode.Unauthenticated, refused?.StatusCode);
        Assert.Contains("revoked", refused!.Status.Detail, StringComparison.Ordinal);

        // The key list shows it revoked, and never a hash or a secret.
        var list = await _rig.Admin.GetStringAsync(new Uri("/admin/v1/keys", UriKind.Relative), Ct);
        Assert.Contains("\"status\":\"revoked\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain("sha256", list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VirtualKey_WithModels_MayUseThoseOnly()
    {
        var (_, secret) = await _rig.CreateKeyAsync("team-a", "chat only", "chat");

        Assert.Null(await _rig.CallAsync(secret, model: "chat"));
        var refused = await _rig.CallAsync(secret, model: "fast");
        Assert.Equal(StatusCode.PermissionDenied, refused?.StatusCode);
    }

    [Fact]
    public async Task VirtualKey_ModelItsTenantMayNotUse_400NamingIt()
    {
        using var response = await _rig.Admin.PostAsJsonAsync("/admin/v1/keys", new { tenant = "team-b", models = FastOnly }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("may not use 'fast'", await ErrorAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VirtualKey_UnknownTenant_400()
    {
        using var response = await _rig.Admin.PostAsJsonAsync("/admin/v1/keys", new { tenant = "nobody" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'nobody' is not a tenant", await ErrorAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VirtualKey_WithOwnLimitsAndBudget_ShownInTheListAndEnforcedOnTheGrpcDoor()
    {
        using var limited = await _rig.Admin.PostAsJsonAsync("/admin/v1/keys", new { tenant = "team-a", name = "one a minute", limits = new { requests_per_minute = 1 } }, Ct);
        Assert.Equal(HttpStatusCode.Created, limited.StatusCode);
        using var limitedJson = JsonDocument.Parse(await limited.Content.ReadAsStringAsync(Ct));
        var limitedId = limitedJson.RootElement.GetProperty("key").GetProperty("id").GetString()!;
        Assert.Equal(1, limitedJson.RootElement.GetProperty("key").GetProperty("limits").GetProperty("requests_per_minute").GetInt64());
        var limitedSecret = limitedJson.RootElement.GetProperty("secret").GetString()!;

        Assert.Null(await _rig.CallAsync(limitedSecret));
        var second = await _rig.CallAsync(limitedSecret);
        Assert.Equal(StatusCode.ResourceExhausted, second?.StatusCode);
        Assert.Contains($"requests per minute (tenant:team-a/key:{limitedId})", second!.Status.Detail, StringComparison.Ordinal);
        Assert.Null(await _rig.CallAsync(ConsoleRig.TeamAKey));

        // A budget no call fits in: refused as a tenant budget refuses, naming the key.
        using var budgeted = await _rig.Admin.PostAsJsonAsync("/admin/v1/keys", new { tenant = "team-a", name = "tiny budget", budget = new { per_day_usd = 0.000001 } }, Ct);
        Assert.Equal(HttpStatusCode.Created, budgeted.StatusCode);
        using var budgetedJson = JsonDocument.Parse(await budgeted.Content.ReadAsStringAsync(Ct));
        var budgetedId = budgetedJson.RootElement.GetProperty("key").GetProperty("id").GetString()!;
        var refused = await _rig.CallAsync(budgetedJson.RootElement.GetProperty("secret").GetString()!);
        Assert.Equal(StatusCode.ResourceExhausted, refused?.StatusCode);
        Assert.Contains($"Budget reached for tenant:team-a/key:{budgetedId}: the daily budget of 0.000001 USD", refused!.Status.Detail, StringComparison.Ordinal);

        var list = await _rig.Admin.GetStringAsync(new Uri("/admin/v1/keys", UriKind.Relative), Ct);
        Assert.Contains("\"budget\":{\"per_day_usd\":0.000001}", list, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"tenant\":\"team-a\",\"limits\":{\"request_per_minute\":1}}", "limits.request_per_minute: not a known field")]
    [InlineData("{\"tenant\":\"team-a\",\"budget\":{\"daily_usd\":1}}", "budget.daily_usd: not a known field")]
    [InlineData("{\"tenant\":\"team-a\",\"limits\":{\"tokens_per_minute\":0}}", "limits.tokens_per_minute: must be a positive whole number")]
    [InlineData("{\"tenant\":\"team-a\",\"expires\":\"2999-01-01T00:00:00Z\"}", "expires: not a known field")]
    public async Task VirtualKey_MisspelledOrNonPositiveLimit_400NamingItAndNoKeyCreated(string body, string error)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await _rig.Admin.PostAsync(new Uri("/admin/v1/keys", UriKind.Relative), content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(error, await ErrorAsync(response), StringComparison.Ordinal);
        Assert.DoesNotContain("vk-", await _rig.Admin.GetStringAsync(new Uri("/admin/v1/keys", UriKind.Relative), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VirtualKey_RotatedWithOverlap_BothSecretsWorkThenWithoutOverlapTheOldIsRefused()
    {
        var (id, first) = await _rig.CreateKeyAsync("team-a", "rotating");

        using var rotate = await _rig.Admin.PostAsJsonAsync($"/admin/v1/keys/{id}/rotate", new { overlap_seconds = 3600 }, Ct);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        var second = JsonDocument.Parse(await rotate.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("secret").GetString()!;
        Assert.NotEqual(first, second);
        Assert.Null(await _rig.CallAsync(first));
        Assert.Null(await _rig.CallAsync(second));

        using var again = await _rig.Admin.PostAsJsonAsync($"/admin/v1/keys/{id}/rotate", new { overlap_seconds = 0 }, Ct);
        var third = JsonDocument.Parse(await again.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("secret").GetString()!;
        Assert.Equal(StatusCode.Unauthenticated, (await _rig.CallAsync(second))?.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, (await _rig.CallAsync(first))?.StatusCode);
        Assert.Null(await _rig.CallAsync(third));
    }

    [Fact]
    public async Task CallLogAndSpend_ByKeyTenantRouteStatus_FilterAndSum()
    {
        var (id, secret) = await _rig.CreateKeyAsync("team-a", "spender");
        Assert.Null(await _rig.CallAsync(secret));
        Assert.Null(await _rig.CallAsync(secret, model: "fast"));
        Assert.Null(await _rig.CallAsync(ConsoleRig.TeamBKey));
        await _rig.WaitForCallsAsync(3);

        var byKey = JsonDocument.Parse(await _rig.Admin.GetStringAsync($"/admin/v1/calls?key={id}", Ct)).RootElement;
        Assert.Equal(2, byKey.GetProperty("matched").GetInt32());
        Assert.All(byKey.GetProperty("calls").EnumerateArray(), c => Assert.Equal(id, c.GetProperty("key_id").GetString()));

        var fast = JsonDocument.Parse(await _rig.Admin.GetStringAsync("/admin/v1/calls?tenant=team-a&route=fast&status=ok", Ct)).RootElement;
        Assert.Equal(1, fast.GetProperty("matched").GetInt32());
        var none = JsonDocument.Parse(await _rig.Admin.GetStringAsync("/admin/v1/calls?status=error", Ct)).RootElement;
        Assert.Equal(0, none.GetProperty("matched").GetInt32());
        var future = JsonDocument.Parse(await _rig.Admin.GetStringAsync("/admin/v1/calls?from=2999-01-01T00:00:00Z", Ct)).RootElement;
        Assert.Equal(0, future.GetProperty("matched").GetInt32());

        var spend = JsonDocument.Parse(await _rig.Admin.GetStringAsync("/admin/v1/spend?by=tenant", Ct)).RootElement;
        var rows = spend.GetProperty("rows").EnumerateArray().ToDictionary(static r => r.GetProperty("group").GetString()!, static r => r);
        Assert.Equal(2, rows["team-a"].GetProperty("requests").GetInt64());
        Assert.Equal(1, rows["team-b"].GetProperty("requests").GetInt64());
        Assert.True(rows["team-a"].GetProperty("cost_usd").GetDecimal() > 0);
        Assert.Equal(rows.Values.Sum(static r => r.GetProperty("cost_usd").GetDecimal()), spend.GetProperty("total_usd").GetDecimal());

        var perKey = JsonDocument.Parse(await _rig.Admin.GetStringAsync("/admin/v1/spend?by=key", Ct)).RootElement;
        Assert.Contains(perKey.GetProperty("rows").EnumerateArray(), r => r.GetProperty("group").GetString() == id && r.GetProperty("requests").GetInt64() == 2);
    }

    [Fact]
    public async Task Stats_CacheHits_RatioHitsAndSavingFromTheLedger()
    {
        await using var rig = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "cached.jsonl"), cache: true));
        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey));
        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey));
        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey, model: "fast"));
        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey, model: "fast"));
        await rig.WaitForCallsAsync(4);

        using var json = JsonDocument.Parse(await rig.Admin.GetStringAsync("/admin/v1/stats?by=route&minutes=15", Ct));

        // chat is cached (its second call a hit), fast is not: 1 of 4 calls.
        Assert.Equal(0.25, json.RootElement.GetProperty("cache_hit_ratio").GetDouble(), 6);
        var series = json.RootElement.GetProperty("series").EnumerateArray().ToDictionary(static s => s.GetProperty("group").GetString()!, static s => s.GetProperty("points").EnumerateArray().ToList());
        Assert.Equal(1, series["chat"].Sum(static p => p.GetProperty("cache_hits").GetInt64()));
        Assert.True(series["chat"].Sum(static p => p.GetProperty("cost_saved_usd").GetDecimal()) > 0);
        Assert.Equal(0, series["fast"].Sum(static p => p.GetProperty("cache_hits").GetInt64()));
    }

    [Fact]
    public async Task StatsAndSpend_ByVariant_TheCanarysTwoVariantsSideBySide()
    {
        await using var rig = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "variants.jsonl"), canary: true));
        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey, model: "canaried", variant: "stable"));
        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey, model: "canaried", variant: "stable"));
        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey, model: "canaried", variant: "canary"));
        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey, model: "fast"));
        await rig.WaitForCallsAsync(4);

        using var stats = JsonDocument.Parse(await rig.Admin.GetStringAsync("/admin/v1/stats?by=variant&minutes=15", Ct));
        Assert.Equal("variant", stats.RootElement.GetProperty("by").GetString());
        var calls = stats.RootElement.GetProperty("series").EnumerateArray().ToDictionary(
            static s => s.GetProperty("group").GetString()!,
            static s => s.GetProperty("points").EnumerateArray().Sum(static p => p.GetProperty("requests").GetInt64()));
        Assert.Equal(2, calls["canaried / stable"]);
        Assert.Equal(1, calls["canaried / canary"]);
        Assert.Equal(1, calls["fast / (none)"]);

        using var spend = JsonDocument.Parse(await rig.Admin.GetStringAsync("/admin/v1/spend?by=variant", Ct));
        var rows = spend.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(static r => r.GetProperty("group").GetString()!, static r => r.GetProperty("requests").GetInt64());
        Assert.Equal(2, rows["canaried / stable"]);
        Assert.Equal(1, rows["canaried / canary"]);
    }

    [Fact]
    public async Task Config_SecretsMaskedWithAVersion()
    {
        var config = JsonDocument.Parse(await _rig.Admin.GetStringAsync("/admin/v1/config", Ct)).RootElement;

        Assert.Matches("^[0-9a-f]{12}$", config.GetProperty("version").GetString());
        var entries = config.GetProperty("entries").EnumerateArray().ToDictionary(static e => e.GetProperty("key").GetString()!, static e => e.GetProperty("value").GetString());
        Assert.Equal("chat", entries["models.0.name"]);
        Assert.Equal("••••••", entries["tenants.0.api_keys.0"]);
        Assert.Equal("••••••", entries["admin.credentials.0"]);
        Assert.DoesNotContain(entries.Values, static v => v?.StartsWith("sha256:", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Console_PageScriptStyle_ServedFromTheSidecarWithoutCredentialAndWithoutData()
    {
        using var client = new HttpClient { BaseAddress = _rig.AdminAddress };
        foreach (var (path, type) in new[] { ("/console/", "text/html"), ("/console/app.js", "text/javascript"), ("/console/app.css", "text/css") })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.DoesNotContain("http://", body.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("https://", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task VirtualKey_OwnLimitsEditedAfterCreation_ApplyFromTheNextCall_EmptyRemoves()
    {
        using var created = await _rig.Admin.PostAsJsonAsync("/admin/v1/keys", new { tenant = "team-a", name = "edited", limits = new { requests_per_minute = 1 } }, Ct);
        using var createdJson = JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct));
        var id = createdJson.RootElement.GetProperty("key").GetProperty("id").GetString()!;
        var secret = createdJson.RootElement.GetProperty("secret").GetString()!;
        Assert.Null(await _rig.CallAsync(secret));
        Assert.Equal(StatusCode.ResourceExhausted, (await _rig.CallAsync(secret))?.StatusCode);

        // Raised to 5 a minute: the next call passes (the window already holds one).
        using (var raised = await PatchAsync(id, "{\"limits\":{\"requests_per_minute\":5}}"))
        {
            Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
            using var view = JsonDocument.Parse(await raised.Content.ReadAsStringAsync(Ct));
            Assert.Equal(5, view.RootElement.GetProperty("limits").GetProperty("requests_per_minute").GetInt64());
        }

        Assert.Null(await _rig.CallAsync(secret));

        // A budget added, no call fits in it: refused naming the key; then removed with {} and the limits kept.
        using (var budgeted = await PatchAsync(id, "{\"budget\":{\"per_day_usd\":0.000001}}"))
        {
            Assert.Equal(HttpStatusCode.OK, budgeted.StatusCode);
        }

        var refused = await _rig.CallAsync(secret);
        Assert.Equal(StatusCode.ResourceExhausted, refused?.StatusCode);
        Assert.Contains($"Budget reached for tenant:team-a/key:{id}", refused!.Status.Detail, StringComparison.Ordinal);
        using (var removed = await PatchAsync(id, "{\"budget\":{}}"))
        {
            using var view = JsonDocument.Parse(await removed.Content.ReadAsStringAsync(Ct));
            Assert.False(view.RootElement.TryGetProperty("budget", out _));
            Assert.Equal(5, view.RootElement.GetProperty("limits").GetProperty("requests_per_minute").GetInt64());
        }

        Assert.Null(await _rig.CallAsync(secret));
        Assert.Contains("\"limits\":{\"requests_per_minute\":5}", await _rig.Admin.GetStringAsync(new Uri("/admin/v1/keys", UriKind.Relative), Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"limits\":{\"request_per_minute\":1}}", HttpStatusCode.BadRequest, "limits.request_per_minute: not a known field")]
    [InlineData("{\"budget\":{\"per_day_usd\":1,\"alert_at\":1.5}}", HttpStatusCode.BadRequest, "budget.alert_at: must be a fraction")]
    [InlineData("{\"name\":\"renamed\"}", HttpStatusCode.BadRequest, "name: not a known field")]
    [InlineData("{}", HttpStatusCode.BadRequest, "nothing to change")]
    public async Task VirtualKey_EditWithATypoOrNothing_400NamingItAndTheKeyUnchanged(string body, HttpStatusCode status, string error)
    {
        var (id, _) = await _rig.CreateKeyAsync("team-a", "unchanged");

        using var response = await PatchAsync(id, body);

        Assert.Equal(status, response.StatusCode);
        Assert.StartsWith(error, await ErrorAsync(response), StringComparison.Ordinal);
        using var keys = JsonDocument.Parse(await _rig.Admin.GetStringAsync(new Uri("/admin/v1/keys", UriKind.Relative), Ct));
        var key = keys.RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        Assert.False(key.TryGetProperty("limits", out _));
        Assert.False(key.TryGetProperty("budget", out _));
    }

    [Fact]
    public async Task VirtualKey_EditUnknownOrRevoked_404Then400()
    {
        using (var unknown = await PatchAsync("vk-000000000000", "{\"limits\":{\"requests_per_minute\":1}}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        var (id, _) = await _rig.CreateKeyAsync("team-a", "gone");
        (await _rig.Admin.PostAsync(new Uri($"/admin/v1/keys/{id}/revoke", UriKind.Relative), null, Ct)).Dispose();
        using var revoked = await PatchAsync(id, "{\"limits\":{\"requests_per_minute\":1}}");
        Assert.Equal(HttpStatusCode.BadRequest, revoked.StatusCode);
        Assert.Contains("is revoked", await ErrorAsync(revoked), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_ReadsChartsCallLogSpendConfig_403ForKeyManagementNamingTheRole()
    {
        var (id, _) = await _rig.CreateKeyAsync("team-a", "managed");
        Assert.Null(await _rig.CallAsync(ConsoleRig.TeamAKey));
        using var viewer = new HttpClient { BaseAddress = _rig.AdminAddress };
        viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ConsoleRig.ViewerToken);

        foreach (var path in (string[])["/admin/v1/stats", "/admin/v1/calls", "/admin/v1/spend", "/admin/v1/config"])
        {
            using var read = await viewer.GetAsync(new Uri(path, UriKind.Relative), Ct);
            Assert.True(read.StatusCode == HttpStatusCode.OK, path);
        }

        using (var whoami = JsonDocument.Parse(await viewer.GetStringAsync(new Uri("/admin/v1/whoami", UriKind.Relative), Ct)))
        {
            Assert.Equal("viewer", whoami.RootElement.GetProperty("role").GetString());
        }

        using (var whoami = JsonDocument.Parse(await _rig.Admin.GetStringAsync(new Uri("/admin/v1/whoami", UriKind.Relative), Ct)))
        {
            Assert.Equal("admin", whoami.RootElement.GetProperty("role").GetString());
        }

        var refusals = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, "/admin/v1/keys", null),
            (HttpMethod.Post, "/admin/v1/keys", "{\"tenant\":\"team-a\"}"),
            (HttpMethod.Patch, $"/admin/v1/keys/{id}", "{\"limits\":{\"requests_per_minute\":1}}"),
            (HttpMethod.Post, $"/admin/v1/keys/{id}/rotate", null),
            (HttpMethod.Post, $"/admin/v1/keys/{id}/revoke", null),
        };
        foreach (var (method, path, body) in refusals)
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            if (body is not null)
            {
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            }

            using var response = await viewer.SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {response.StatusCode}");
            Assert.StartsWith("this credential has the viewer role (admin.viewers)", await ErrorAsync(response), StringComparison.Ordinal);
        }

        // Nothing changed: the key is active, with no limits of its own.
        using var keys = JsonDocument.Parse(await _rig.Admin.GetStringAsync(new Uri("/admin/v1/keys", UriKind.Relative), Ct));
        var key = Assert.Single(keys.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal("active", key.GetProperty("status").GetString());
        Assert.False(key.TryGetProperty("limits", out _));
    }

    private Task<HttpResponseMessage> PatchAsync(string id, string body) =>
        _rig.Admin.PatchAsync(new Uri($"/admin/v1/keys/{id}", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);

    private static async Task<string> ErrorAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error").GetString()!;
}
