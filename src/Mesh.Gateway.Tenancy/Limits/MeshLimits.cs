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
        InvalidOperationException notNumbersError;
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
            // Not a second binding: the text of the numbers, which the binder does not report.
            var notNumbers = new List<string>();
            foreach (var tenant in configuration.GetSection("tenants").GetChildren())
            {
                CheckNumbers(tenant.GetSection("limits"), notNumbers);
                CheckNumbers(tenant.GetSection("budget"), notNumbers);
            }

            CheckNumbers(configuration.GetSection("prices"), notNumbers);
            if (notNumbers.Count == 0)
            {
                return (limits, ledger);
            }

            // Thrown outside the binder's catch below, which would name the section twice.
            notNumbersError = new InvalidOperationException("Invalid limits configuration:" + Environment.NewLine + string.Join(Environment.NewLine, notNumbers));
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException("Invalid limits configuration: " + (ex.InnerException?.Message ?? ex.Message), ex);
        }

        throw notNumbersError;
    }

    private static readonly HashSet<string> s_numberKeys = new(StringComparer.Ordinal)
    {
        "requests_per_second", "requests_per_minute", "tokens_per_minute", "concurrent_streams",
        "per_day_usd", "per_month_usd", "alert_at", "input", "cached_input", "output",
    };

    // The binder leaves a nullable number unset when its text does not parse; for a limit that would silently mean "unlimited".
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
