using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Routing;

namespace Mesh.Gateway.Tenancy.Budgets;

/// <summary>Model prices, and the cost of a call from its usage.</summary>
/// <remarks>
/// A model name matches its exact entry, else the longest entry it starts with followed by '-' (dated snapshots such as
/// <c>gpt-4o-2024-08-06</c> or <c>claude-sonnet-4-5-20250929</c>), after dropping any <c>provider/</c> prefix.
/// </remarks>
public sealed class PriceTable : IModelPriceLookup
{
    /// <summary>List prices (USD per million tokens) of current OpenAI, Anthropic and Google models, standard tier, as published in 2025. Override in <c>prices:</c>.</summary>
    public static IReadOnlyDictionary<string, ModelPrice> Defaults { get; } = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase)
    {
        // OpenAI
        ["gpt-5"] = new(1.25m, 0.125m, 10m),
        ["gpt-5-mini"] = new(0.25m, 0.025m, 2m),
        ["gpt-5-nano"] = new(0.05m, 0.005m, 0.40m),
        ["gpt-4.1"] = new(2m, 0.50m, 8m),
        ["gpt-4.1-mini"] = new(0.40m, 0.10m, 1.60m),
        ["gpt-4.1-nano"] = new(0.10m, 0.025m, 0.40m),
        ["gpt-4o"] = new(2.50m, 1.25m, 10m),
        ["gpt-4o-mini"] = new(0.15m, 0.075m, 0.60m),
        ["o3"] = new(2m, 0.50m, 8m),
        ["o3-mini"] = new(1.10m, 0.55m, 4.40m),
        ["o4-mini"] = new(1.10m, 0.275m, 4.40m),
        ["o1"] = new(15m, 7.50m, 60m),
        ["text-embedding-3-small"] = new(0.02m, 0.02m, 0m),
        ["text-embedding-3-large"] = new(0.13m, 0.13m, 0m),

        // Anthropic (cached input = cache reads)
        ["claude-opus-4-1"] = new(15m, 1.50m, 75m),
        ["claude-opus-4"] = new(15m, 1.50m, 75m),
        ["claude-sonnet-4-5"] = new(3m, 0.30m, 15m),
        ["claude-sonnet-4"] = new(3m, 0.30m, 15m),
        ["claude-3-7-sonnet"] = new(3m, 0.30m, 15m),
        ["claude-haiku-4-5"] = new(1m, 0.10m, 5m),
        ["claude-3-5-haiku"] = new(0.80m, 0.08m, 4m),

        // Google (prompts up to 200k tokens)
        ["gemini-2.5-pro"] = new(1.25m, 0.125m, 10m),
        ["gemini-2.5-flash"] = new(0.30m, 0.03m, 2.50m),
        ["gemini-2.5-flash-lite"] = new(0.10m, 0.01m, 0.40m),
        ["gemini-2.0-flash"] = new(0.10m, 0.025m, 0.40m),
        ["text-embedding-004"] = new(0m, 0m, 0m),

        // The built-in mock provider costs nothing.
        ["mock"] = new(0m, 0m, 0m),
    };

    private readonly Dictionary<string, ModelPrice> _prices;

    public PriceTable(IReadOnlyDictionary<string, ModelPrice> prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        _prices = new Dictionary<string, ModelPrice>(prices, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The built-in table with <paramref name="overrides"/> merged over it.</summary>
    public static PriceTable Create(IReadOnlyDictionary<string, ModelPriceOptions>? overrides)
    {
        var prices = new Dictionary<string, ModelPrice>(Defaults, StringComparer.OrdinalIgnoreCase);
        foreach (var (model, price) in overrides ?? new Dictionary<string, ModelPriceOptions>())
        {
            prices.TryGetValue(model, out var known);
            var input = price.Input ?? known?.Input ?? 0m;
            prices[model] = new ModelPrice(input, price.CachedInput ?? (price.Input is null ? known?.CachedInput : null) ?? input, price.Output ?? known?.Output ?? 0m);
        }

        return new PriceTable(prices);
    }

    /// <inheritdoc/>
    public bool TryGetPerMillion(string model, out decimal input, out decimal output)
    {
        var found = TryGetPrice(model, out var price);
        input = found ? price.Input : 0m;
        output = found ? price.Output : 0m;
        return found;
    }

    public bool TryGetPrice(string model, out ModelPrice price)
    {
        ArgumentNullException.ThrowIfNull(model);
        var name = model[(model.LastIndexOf('/') + 1)..];
        if (_prices.TryGetValue(name, out price!))
        {
            return true;
        }

        ModelPrice? best = null;
        var bestLength = 0;
        foreach (var (entry, candidate) in _prices)
        {
            if (entry.Length > bestLength && name.Length > entry.Length && name[entry.Length] == '-'
                && name.StartsWith(entry, StringComparison.OrdinalIgnoreCase))
            {
                best = candidate;
                bestLength = entry.Length;
            }
        }

        price = best!;
        return best is not null;
    }

    /// <summary>The cost in US dollars; <see cref="ChatUsage.InputTokens"/> includes the cached ones.</summary>
    public static decimal Cost(ModelPrice price, long inputTokens, long cachedInputTokens, long outputTokens)
    {
        ArgumentNullException.ThrowIfNull(price);
        var cached = Math.Clamp(cachedInputTokens, 0, Math.Max(0, inputTokens));
        return (((inputTokens - cached) * price.Input) + (cached * price.CachedInput) + (outputTokens * price.Output)) / 1_000_000m;
    }

    /// <summary>The cost of a call, or zero for a model with no price.</summary>
    public decimal Cost(string model, ChatUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return TryGetPrice(model, out var price) ? Cost(price, usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens) : 0m;
    }

    /// <summary>US dollars as whole nano-dollars, the unit budget counters hold (exact in Redis's Lua doubles up to 9 million dollars).</summary>
    public static long ToNanoUsd(decimal usd) => (long)decimal.Round(usd * 1_000_000_000m, MidpointRounding.AwayFromZero);
}
