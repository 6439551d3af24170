using Mesh.Gateway.Tenancy.Limits;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Limits;

public sealed class LimitsConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    // A value that does not bind (a word for a number) stops the registration; the rest fail the options' validation.
    private static string ErrorOf(params (string Key, string Value)[] values)
    {
        var services = new ServiceCollection();
        try
        {
            services.AddMeshLimits(Config(values));
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }

        using var provider = services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IMeshLimiter>()).Message;
    }

    [Fact]
    public void AddMeshLimits_NegativeLimit_ErrorNamesTheKey() =>
        Assert.Contains("tenants[0].limits.requests_per_minute: must not be negative (was -5)", ErrorOf(("tenants:0:id", "team-a"), ("tenants:0:limits:requests_per_minute", "-5")), StringComparison.Ordinal);

    [Fact]
    public void AddMeshLimits_NegativePerKeyModelLimit_ErrorNamesTheKey() =>
        Assert.Contains("tenants[1].limits.per_key_models.gpt-4o.tokens_per_minute: must not be negative (was -1)",
            ErrorOf(("tenants:0:id", "a"), ("tenants:1:id", "b"), ("tenants:1:limits:per_key_models:gpt-4o:tokens_per_minute", "-1")), StringComparison.Ordinal);

    [Fact]
    public void AddMeshLimits_NegativePromptBudget_ErrorNamesTheKey() =>
        Assert.Contains("tenants[0].limits.prompts.summarize.per_day_usd: must not be negative (was -1)",
            ErrorOf(("tenants:0:id", "a"), ("tenants:0:limits:prompts:summarize:per_day_usd", "-1")), StringComparison.Ordinal);

    [Fact]
    public void AddMeshLimits_PromptBudgetNotANumber_ErrorNamesTheKey() =>
        Assert.Contains("tenants[0].limits.prompts.summarize.per_month_usd: must be a number (was 'lots')",
            ErrorOf(("tenants:0:id", "a"), ("tenants:0:limits:prompts:summarize:per_month_usd", "lots")), StringComparison.Ordinal);

    [Fact]
    public void AddMeshLimits_UnknownModel_ErrorNamesTheKeyAndThePriceTable()
    {
        var error = ErrorOf(("tenants:0:id", "team-a"), ("tenants:0:limits:models:gpt-9-turbo:tokens_per_minute", "1000"));
        Assert.Contains("tenants[0].limits.models.gpt-9-turbo: unknown model 'gpt-9-turbo' (not in the price table", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMeshLimits_ModelAddedUnderPrices_IsKnown()
    {
        var services = new ServiceCollection().AddMeshLimits(Config(
            ("prices:my-llm:input", "1.5"), ("prices:my-llm:output", "3"),
            ("tenants:0:id", "team-a"), ("tenants:0:limits:models:my-llm:tokens_per_minute", "1000")));
        Assert.Contains(services, d => d.ServiceType == typeof(IMeshLimiter));
    }

    [Fact]
    public void AddMeshLimits_NewModelPriceWithoutOutput_ErrorNamesTheKey() =>
        Assert.Contains("prices.my-llm.output: is required", ErrorOf(("prices:my-llm:input", "1")), StringComparison.Ordinal);

    [Fact]
    public void AddMeshLimits_NegativePrice_ErrorNamesTheKey() =>
        Assert.Contains("prices.gpt-4o.output: must not be negative (was -2)", ErrorOf(("prices:gpt-4o:output", "-2")), StringComparison.Ordinal);

    [Fact]
    public void AddMeshLimits_BadRedisUrl_ErrorNamesTheKeyWithoutThePassword()
    {
        var error = ErrorOf(("store:redis", "http://user:hunter2@cache:6379"));
        Assert.Contains("store.redis: must be a URL like redis://", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMeshLimits_BadStoreFailureMode_ErrorNamesTheKey() =>
        Assert.Contains("tenants[0].limits.on_store_failure: must be open or closed (was 'maybe')",
            ErrorOf(("tenants:0:id", "t"), ("tenants:0:limits:on_store_failure", "maybe")), StringComparison.Ordinal);

    [Fact]
    public void AddMeshLimits_BudgetAlertOutOfRange_ErrorNamesTheKey() =>
        Assert.Contains("tenants[0].budget.alert_at: must be a fraction above 0 and at most 1 (was 1.5)",
            ErrorOf(("tenants:0:id", "t"), ("tenants:0:budget:per_day_usd", "10"), ("tenants:0:budget:alert_at", "1.5")), StringComparison.Ordinal);

    [Fact]
    public void AddMeshLimits_NotANumber_ErrorNamesTheKey() =>
        Assert.Contains("tenants[0].limits.tokens_per_minute: must be a number (was 'lots')", ErrorOf(("tenants:0:id", "t"), ("tenants:0:limits:tokens_per_minute", "lots")), StringComparison.Ordinal);

    [Fact]
    public void AddMeshLimits_SeveralErrors_ListsEveryOne()
    {
        var error = ErrorOf(("tenants:0:id", "t"), ("tenants:0:limits:requests_per_second", "-1"), ("tenants:0:limits:concurrent_streams", "-2"), ("store:command_timeout_ms", "0"));
        Assert.Contains("tenants[0].limits.requests_per_second", error, StringComparison.Ordinal);
        Assert.Contains("tenants[0].limits.concurrent_streams", error, StringComparison.Ordinal);
        Assert.Contains("store.command_timeout_ms: must be positive (was 0)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMeshLimits_FullConfiguration_BindsAndEnforces()
    {
        var services = new ServiceCollection().AddMeshLimits(Config(
            ("ledger:path", ""),
            ("tenants:0:id", "team-a"),
            ("tenants:0:api_keys:0", "sha256:0000000000000000000000000000000000000000000000000000000000000000"),
            ("tenants:0:limits:requests_per_minute", "2"),
            ("tenants:0:limits:tokens_per_minute", "50000"),
            ("tenants:0:budget:per_day_usd", "10")));
        await using var provider = services.BuildServiceProvider();
        var limiter = provider.GetRequiredService<IMeshLimiter>();
        var request = new LimitRequest { TenantId = "team-a", Model = "gpt-4o", EstimatedInputTokens = 10, MaxOutputTokens = 10 };

        Assert.True((await limiter.AdmitAsync(request, TestContext.Current.CancellationToken)).IsAllowed);
        Assert.True((await limiter.AdmitAsync(request, TestContext.Current.CancellationToken)).IsAllowed);
        var third = await limiter.AdmitAsync(request, TestContext.Current.CancellationToken);
        Assert.False(third.IsAllowed);
        Assert.Equal(LimitKind.RequestsPerMinute, third.Denial!.Kind);
    }
}
