using Mesh.Gateway.Tenancy.Budgets;
using Mesh.Gateway.Tenancy.Ledger;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Binds the limits, budgets, prices, store and ledger settings from the configuration.</summary>
public static class MeshLimits
{
    /// <summary>Binds; a value of the wrong type throws <see cref="InvalidOperationException"/> naming its key.</summary>
    /// <param name="configuration">The configuration root.</param>
    /// <param name="tenants">The tenants, bound once (<see cref="Authentication.MeshTenants"/>); their limits and budgets are read here.</param>
    public static (LimitsOptions Limits, LedgerOptions Ledger) Bind(IConfiguration configuration, IReadOnlyList<Authentication.TenantOptions> tenants)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(tenants);
        ThrowIfNotNumbers(configuration);
        try
        {
            var limitsSection = configuration.GetSection("limits");
            var limits = new LimitsOptions
            {
                Store = configuration.GetSection("store").Get<StoreOptions>() ?? new StoreOptions(),
                Prices = configuration.GetSection("prices").Get<Dictionary<string, ModelPriceOptions>>() ?? [],
                Tenants = tenants,
                DefaultMaxOutputTokens = limitsSection.GetValue("default_max_output_tokens", 4096),
                AlertWebhook = limitsSection["alert_webhook"],
            };
            var ledger = configuration.GetSection("ledger").Get<LedgerOptions>() ?? new LedgerOptions();
            return (limits, ledger);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException("Invalid limits configuration: " + (ex.InnerException?.Message ?? ex.Message), ex);
        }
    }

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> listing every limit, budget and price whose text is not a number, by its
    /// key. Called before binding: the source-generated binder stops at the first one with a message naming the binder's path
    /// and a CLR type (the reflection binder left a nullable number unset, which for a limit silently meant "unlimited").
    /// </summary>
    internal static void ThrowIfNotNumbers(IConfiguration configuration)
    {
        var notNumbers = new List<string>();
        foreach (var tenant in configuration.GetSection("tenants").GetChildren())
        {
            CheckNumbers(tenant.GetSection("limits"), notNumbers);
            CheckNumbers(tenant.GetSection("budget"), notNumbers);
        }

        CheckNumbers(configuration.GetSection("prices"), notNumbers);
        if (notNumbers.Count > 0)
        {
            throw new InvalidOperationException("Invalid limits configuration:" + Environment.NewLine + string.Join(Environment.NewLine, notNumbers));
        }
    }

    private static readonly HashSet<string> s_numberKeys = new(StringComparer.Ordinal)
    {
        "requests_per_second", "requests_per_minute", "tokens_per_minute", "concurrent_streams",
        "per_day_usd", "per_month_usd", "alert_at", "input", "cached_input", "output",
    };

    private static void CheckNumbers(IConfigurationSection section, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            if (child.Value is { } value && s_numberKeys.Contains(child.Key)
                && !decimal.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                errors.Add($"{ToPath(child.Path)}: must be a number (was '{value}')");
            }

            CheckNumbers(child, errors);
        }
    }

    private static string ToPath(string configurationPath) =>
        System.Text.RegularExpressions.Regex.Replace(configurationPath, @":(\d+)(?=:|$)", "[$1]").Replace(':', '.');
}
