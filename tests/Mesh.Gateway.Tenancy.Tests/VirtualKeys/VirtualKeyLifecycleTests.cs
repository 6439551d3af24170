using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores;
using Mesh.Gateway.Tenancy.Tests.Limits;
using Mesh.Gateway.Tenancy.VirtualKeys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.VirtualKeys;

/// <summary>A virtual key's life as its caller sees it, on a clock the test moves: the rotation's overlap ends, the key expires,
/// the YAML decides a key it also lists, and the key's own limits and budget hold besides its tenant's.</summary>
public sealed class VirtualKeyLifecycleTests : IAsyncDisposable
{
    private const string YamlKeyA = "mgw-yaml-team-a";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly LimitsClock _clock = new(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));
    private readonly VirtualKeyRegistry _registry;

    public VirtualKeyLifecycleTests() => _registry = new VirtualKeyRegistry(new InProcessVirtualKeyStore(), Tenants(), _clock);

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task Rotate_WithOverlap_OldSecretWorksUntilTheWindowEndsThenIsRefused()
    {
        var (id, first) = await CreateAsync(new VirtualKeyRequest { TenantId = "team-a" });
        var rotated = await _registry.RotateAsync(id, TimeSpan.FromMinutes(10), Ct);
        var second = rotated.Issued!.Secret;

        var authenticator = Authenticator();
        Assert.Equal(id, (await AuthenticateAsync(authenticator, first)).KeyId);
        Assert.Equal(id, (await AuthenticateAsync(authenticator, second)).KeyId);

        _clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.True((await AuthenticateAsync(authenticator, first)).Succeeded);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var refused = await AuthenticateAsync(authenticator, first);
        Assert.False(refused.Succeeded);
        Assert.Equal("The API key provided has expired.", refused.Message);
        Assert.Equal(id, (await AuthenticateAsync(authenticator, second)).KeyId);
    }

    [Fact]
    public async Task Expiry_KeyWorksUntilItsExpiryThenIsRefusedAsExpired()
    {
        var (_, secret) = await CreateAsync(new VirtualKeyRequest { TenantId = "team-a", ExpiresAt = _clock.GetUtcNow().AddHours(1) });
        var authenticator = Authenticator();
        Assert.True((await AuthenticateAsync(authenticator, secret)).Succeeded);

        _clock.Advance(TimeSpan.FromHours(1));
        var refused = await AuthenticateAsync(authenticator, secret);
        Assert.Equal(AuthenticationFailure.RevokedApiKey, refused.Failure);
        Assert.Equal("The API key provided has expired.", refused.Message);
        Assert.Equal("expires_at: must be in the future", (await _registry.CreateAsync(new VirtualKeyRequest { TenantId = "team-a", ExpiresAt = _clock.GetUtcNow() }, Ct)).Error);
    }

    // The documented rule (docs/0017): a key the YAML lists (tenants[].api_keys or revoked_api_keys) is decided by the YAML;
    // the store is asked only about keys the YAML does not know.
    [Fact]
    public async Task KeyInYamlAndStore_TheYamlDecides()
    {
        var (id, secret) = await CreateAsync(new VirtualKeyRequest { TenantId = "team-b" });

        // The store says team-b, active; the YAML lists the same secret as team-a's key: team-a, under the YAML's key id.
        var listed = await AuthenticateAsync(Authenticator(apiKeysA: [ApiKeyHash.Format(secret)]), secret);
        Assert.Equal("team-a", listed.Tenant!.Id);
        Assert.StartsWith("key-", listed.KeyId, StringComparison.Ordinal);

        // The YAML revokes it while the store has it active: revoked.
        var revokedInYaml = await AuthenticateAsync(Authenticator(revokedA: [ApiKeyHash.Format(secret)]), secret);
        Assert.Equal(AuthenticationFailure.RevokedApiKey, revokedInYaml.Failure);

        // The store revokes it while the YAML lists it as a key: the YAML's key still works...
        await _registry.RevokeAsync(id, Ct);
        Assert.Equal("team-a", (await AuthenticateAsync(Authenticator(apiKeysA: [ApiKeyHash.Format(secret)]), secret)).Tenant!.Id);

        // ... and without the YAML entry the store's revocation holds.
        Assert.Equal(AuthenticationFailure.RevokedApiKey, (await AuthenticateAsync(Authenticator(), secret)).Failure);
    }

    [Fact]
    public async Task OwnRequestsPerMinute_RefusesTheKeyOnlyAndFollowsItAcrossARotation()
    {
        var (id, _) = await CreateAsync(new VirtualKeyRequest { TenantId = "team-a", Limits = new VirtualKeyLimits { RequestsPerMinute = 2 } });
        var (other, _) = await CreateAsync(new VirtualKeyRequest { TenantId = "team-a" });
        var limiter = Limiter();

        Assert.True((await limiter.AdmitAsync(Call(id), Ct)).IsAllowed);
        await _registry.RotateAsync(id, TimeSpan.Zero, Ct);
        Assert.True((await limiter.AdmitAsync(Call(id), Ct)).IsAllowed);
        var third = await limiter.AdmitAsync(Call(id), Ct);
        Assert.Equal(LimitKind.RequestsPerMinute, third.Denial!.Kind);
        Assert.Equal(LimitScope.Key, third.Denial.Scope);
        Assert.Equal($"tenant:team-a/key:{id}", third.Denial.Violations[0].Subject);
        Assert.True((await limiter.AdmitAsync(Call(other), Ct)).IsAllowed);
        Assert.True((await limiter.AdmitAsync(Call(null), Ct)).IsAllowed);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await limiter.AdmitAsync(Call(id), Ct)).IsAllowed);
    }

    [Fact]
    public async Task OwnTokensPerMinute_ReservesAndRefusesAsTheTenantsDoes()
    {
        var (id, _) = await CreateAsync(new VirtualKeyRequest { TenantId = "team-a", Limits = new VirtualKeyLimits { TokensPerMinute = 100 } });
        var limiter = Limiter();

        Assert.True((await limiter.AdmitAsync(Call(id, prompt: 40, maxOutput: 40), Ct)).IsAllowed);
        var denied = await limiter.AdmitAsync(Call(id, prompt: 40, maxOutput: 40), Ct);
        Assert.Equal(LimitKind.TokensPerMinute, denied.Denial!.Kind);
        Assert.Contains("tokens per minute", denied.Denial.Message, StringComparison.Ordinal);
    }

    // Refused once spent, with the tenant budget's message and kind; other keys of the tenant go on.
    [Fact]
    public async Task OwnBudget_RefusedOnceSpentWithTheTenantBudgetsErrorUntilTheNextDay()
    {
        // gpt-4o-mini at 1000 USD per million tokens each way: a call of 10 + 10 tokens reserves 0.02 USD.
        var (id, _) = await CreateAsync(new VirtualKeyRequest { TenantId = "team-a", Budget = new VirtualKeyBudget { PerDayUsd = 0.05m } });
        var (other, _) = await CreateAsync(new VirtualKeyRequest { TenantId = "team-a" });
        var limiter = Limiter();

        for (var i = 0; i < 2; i++)
        {
            var admitted = await limiter.AdmitAsync(Call(id), Ct);
            Assert.True(admitted.IsAllowed);
            await admitted.Lease!.SettleAsync(new ChatUsage { InputTokens = 10, OutputTokens = 10 }, Ct);
        }

        var refused = await limiter.AdmitAsync(Call(id), Ct);
        Assert.Equal(LimitKind.BudgetPerDay, refused.Denial!.Kind);
        Assert.Equal($"Budget reached for tenant:team-a/key:{id}: the daily budget of 0.05 USD, 0.04 USD used or reserved.", refused.Denial.Message);
        Assert.Equal(TimeSpan.FromHours(14), refused.Denial.RetryAfter);
        Assert.True((await limiter.AdmitAsync(Call(other), Ct)).IsAllowed);

        _clock.Advance(TimeSpan.FromHours(14));
        Assert.True((await limiter.AdmitAsync(Call(id), Ct)).IsAllowed);
    }

    [Fact]
    public async Task OwnBudget_CrossingItsAlertAt_OneAlertNamingTheKeyPerPeriod()
    {
        // 0.02 USD a call against 0.1 USD a day, alert at half: the third call crosses 0.05.
        var (id, _) = await CreateAsync(new VirtualKeyRequest { TenantId = "team-a", Budget = new VirtualKeyBudget { PerDayUsd = 0.1m, AlertAt = 0.5 } });
        var alerts = new List<BudgetAlert>();
        var limiter = Limiter(alerts.Add);

        for (var day = 0; day < 2; day++)
        {
            for (var i = 0; i < 4; i++)
            {
                var admitted = await limiter.AdmitAsync(Call(id), Ct);
                Assert.True(admitted.IsAllowed);
                Assert.Equal(i == 2 ? 1 : 0, admitted.Alerts.Count);
                await admitted.Lease!.SettleAsync(new ChatUsage { InputTokens = 10, OutputTokens = 10 }, Ct);
            }

            _clock.Advance(TimeSpan.FromDays(1));
        }

        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.Equal((id, "team-a", LimitKind.BudgetPerDay, 0.1m), (a.KeyId, a.TenantId, a.Period, a.BudgetUsd)));
    }

    [Fact]
    public async Task UpdateLimits_ANewVersionAnotherRegistryOfTheStoreApplies_EmptyRemoves()
    {
        var store = new InProcessVirtualKeyStore();
        await using var here = new VirtualKeyRegistry(store, Tenants(), _clock);
        await using var there = new VirtualKeyRegistry(store, Tenants(), _clock);
        var created = await here.CreateAsync(new VirtualKeyRequest { TenantId = "team-a", Limits = new VirtualKeyLimits { RequestsPerMinute = 1 } }, Ct);
        var id = created.Key!.Id;

        var changed = await here.UpdateLimitsAsync(id, new VirtualKeyLimits { RequestsPerMinute = 5 }, new VirtualKeyBudget { PerDayUsd = 2m }, Ct);
        Assert.Null(changed.Error);
        Assert.Equal(2, changed.Key!.Version);
        await there.RefreshAsync(Ct);
        Assert.Equal(5, there.Get(id)!.Limits!.RequestsPerMinute);
        Assert.Equal(2m, there.Get(id)!.Budget!.PerDayUsd);

        // Only the budget given: the limits stay; an empty budget removes it.
        await here.UpdateLimitsAsync(id, null, new VirtualKeyBudget(), Ct);
        await there.RefreshAsync(Ct);
        Assert.Equal(5, there.Get(id)!.Limits!.RequestsPerMinute);
        Assert.Null(there.Get(id)!.Budget);
        Assert.Equal("budget.alert_at: must be a fraction above 0 and at most 1 (0.8: alert at 80 % of each budget)",
            (await here.UpdateLimitsAsync(id, null, new VirtualKeyBudget { PerDayUsd = 1m, AlertAt = 0 }, Ct)).Error);
        Assert.True((await here.UpdateLimitsAsync("vk-000000000000", new VirtualKeyLimits { RequestsPerMinute = 1 }, null, Ct)).NotFound);
    }

    [Fact]
    public async Task OwnLimits_OfAKeyOfAnotherTenant_AreNotApplied()
    {
        var (id, _) = await CreateAsync(new VirtualKeyRequest { TenantId = "team-b", Limits = new VirtualKeyLimits { RequestsPerMinute = 1 } });
        var limiter = Limiter();

        Assert.True((await limiter.AdmitAsync(Call(id, tenant: "team-b"), Ct)).IsAllowed);
        Assert.False((await limiter.AdmitAsync(Call(id, tenant: "team-b"), Ct)).IsAllowed);
        Assert.True((await limiter.AdmitAsync(Call(id), Ct)).IsAllowed);
    }

    [Theory]
    [InlineData(0L, null, "limits.requests_per_minute: must be a positive whole number")]
    [InlineData(null, 0L, "limits.tokens_per_minute: must be a positive whole number")]
    public async Task Create_NonPositiveLimit_RefusedNamingIt(long? rpm, long? tpm, string error)
    {
        var change = await _registry.CreateAsync(new VirtualKeyRequest { TenantId = "team-a", Limits = new VirtualKeyLimits { RequestsPerMinute = rpm, TokensPerMinute = tpm } }, Ct);
        Assert.Equal(error, change.Error);
        Assert.Equal("budget.per_month_usd: must be a positive amount of US dollars",
            (await _registry.CreateAsync(new VirtualKeyRequest { TenantId = "team-a", Budget = new VirtualKeyBudget { PerMonthUsd = -1 } }, Ct)).Error);
    }

    private static TenantOptions[] Tenants(string[]? apiKeysA = null, string[]? revokedA = null) =>
    [
        new TenantOptions { Id = "team-a", ApiKeys = apiKeysA ?? [ApiKeyHash.Format(YamlKeyA)], RevokedApiKeys = revokedA ?? [], Models = ["*"] },
        new TenantOptions { Id = "team-b", ApiKeys = [], Models = ["*"] },
    ];

    private TenantAuthenticator Authenticator(string[]? apiKeysA = null, string[]? revokedA = null) =>
        TenancyServiceCollectionExtensions.Create(new TenancyOptions { Tenants = Tenants(apiKeysA, revokedA) }, _clock, NullLoggerFactory.Instance, virtualKeys: _registry);

    private MeshLimiter Limiter(Action<BudgetAlert>? onAlert = null)
    {
        var store = new InProcessCounterStore(_clock);
        return new MeshLimiter(
            new LimitsOptions { Tenants = Tenants(), Prices = new Dictionary<string, Mesh.Gateway.Tenancy.Budgets.ModelPriceOptions> { ["gpt-4o-mini"] = new() { Input = 1000, Output = 1000 } } },
            store, store, _clock, onAlert: onAlert, virtualKeys: _registry.Get);
    }

    private static LimitRequest Call(string? key, string tenant = "team-a", long prompt = 10, long maxOutput = 10) =>
        new() { TenantId = tenant, KeyId = key, Model = "gpt-4o-mini", EstimatedInputTokens = prompt, MaxOutputTokens = maxOutput };

    private static ValueTask<AuthenticationResult> AuthenticateAsync(TenantAuthenticator authenticator, string secret) =>
        authenticator.AuthenticateAsync(new CallerCredentials(new Dictionary<string, string> { ["authorization"] = "Bearer " + secret }), Ct);

    private async Task<(string Id, string Secret)> CreateAsync(VirtualKeyRequest request)
    {
        var change = await _registry.CreateAsync(request, Ct);
        Assert.Null(change.Error);
        return (change.Key!.Id, change.Issued!.Secret);
    }
}
