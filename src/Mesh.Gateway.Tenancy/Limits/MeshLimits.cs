using Mesh.Gateway.Tenancy.Budgets;
using Mesh.Gateway.Tenancy.Ledger;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Binds the limits, budgets, prices, store and ledger settings from the configuration.</summary>
public static class MeshLimits
{
    /// <summary>Binds; a value of the wrong type throws <see cref="InvalidOperationException"/> naming its key.</summary>
    public static (LimitsOptions Limits, LedgerOptions Ledger) Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        try
        {
            var limitsSection = configuration.GetSection("limits");
            var limits = new LimitsOptions
            {
                Store = configuration.GetSection("store").Get<StoreOptions>() ?? new StoreOptions(),
                Prices = configuration.GetSection("prices").Get<Dictionary<string, ModelPriceOptions>>() ?? [],
                Tenants = configuration.GetSection("tenants").Get<List<TenantPolicyOptions>>() ?? [],
                DefaultMaxOutputTokens = limitsSection.GetValue("default_max_output_tokens", 4096),
            };
            var ledger = configuration.GetSection("ledger").Get<LedgerOptions>() ?? new LedgerOptions();
            return (limits, ledger);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException("Invalid limits configuration: " + (ex.InnerException?.Message ?? ex.Message), ex);
        }
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> listing every error, each naming its key.</summary>
    public static void ThrowIfInvalid(LimitsOptions limits, LedgerOptions ledger)
    {
        var errors = LimitsOptionsValidator.Validate(limits, ledger);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid limits configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }
    }
}
