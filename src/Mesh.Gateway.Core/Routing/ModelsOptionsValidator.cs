using System.Globalization;
using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Providers;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Core.Routing;

/// <summary>Checks the <c>models:</c> section against the configured providers; each error names the key path and what is wrong.</summary>
public sealed class ModelsOptionsValidator(ProvidersOptions providers) : IValidateOptions<ModelsOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ModelsOptions options) =>
        MeshOptions.Result(Validate(options, [.. providers.Providers.Select(static p => p.Name)]));

    public static IReadOnlyList<string> Validate(ModelsOptions options, IReadOnlyCollection<string> providerNames)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(providerNames);
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Models.Count; i++)
        {
            var model = options.Models[i];
            var at = $"models[{i}]";
            if (string.IsNullOrWhiteSpace(model.Name))
            {
                errors.Add($"{at}.name: is required");
            }
            else if (!names.Add(model.Name))
            {
                errors.Add($"{at}.name: duplicate model name '{model.Name}'");
            }

            if (model.Targets.Count == 0)
            {
                errors.Add($"{at}.targets: must list at least one target");
            }
            else if (model.Targets.All(static t => t.Weight <= 0))
            {
                errors.Add($"{at}.targets: at least one target needs a positive weight");
            }

            ValidateTargets(model.Targets, $"{at}.targets", providerNames, isFallback: false, errors);
            ValidateTargets(model.Fallbacks, $"{at}.fallbacks", providerNames, isFallback: true, errors);
            ValidateRetry(model.Retry, $"{at}.retry", errors);
            ValidateTimeouts(model.Timeouts, $"{at}.timeouts", errors);
            ValidateBreaker(model.CircuitBreaker, $"{at}.circuit_breaker", errors);
            ValidateStrategy(model, at, errors);
            ValidateOutliers(model.OutlierDetection, $"{at}.outlier_detection", errors);
            var targetNames = TargetNames(model.Targets, $"{at}.targets", model.Canary is not null || model.Rules.Count > 0, errors);
            ValidateCanary(model.Canary, $"{at}.canary", targetNames, errors);
            ValidateRules(model.Rules, $"{at}.rules", targetNames, errors);
        }

        return errors;
    }

    private static void ValidateStrategy(ModelRouteOptions model, string at, List<string> errors)
    {
        if (!RouteStrategies.All.Contains(model.Strategy, StringComparer.Ordinal))
        {
            errors.Add($"{at}.strategy: unknown strategy '{model.Strategy}' (one of: {string.Join(", ", RouteStrategies.All)})");
        }

        if (model.LatencyBoundMs is <= 0)
        {
            errors.Add($"{at}.latency_bound_ms: must be positive (was {model.LatencyBoundMs})");
        }
        else if (model.LatencyBoundMs is not null && model.Strategy != RouteStrategies.CostAware)
        {
            errors.Add($"{at}.latency_bound_ms: only the cost strategy reads it (strategy is '{model.Strategy}')");
        }
    }

    private static void ValidateOutliers(OutlierDetectionOptions o, string at, List<string> errors)
    {
        if (!o.Enabled)
        {
            return;
        }

        if (o.ConsecutiveFailures < 0)
        {
            errors.Add($"{at}.consecutive_failures: must not be negative (was {o.ConsecutiveFailures})");
        }

        if (double.IsNaN(o.FailurePercentage) || o.FailurePercentage < 0 || o.FailurePercentage > 100)
        {
            errors.Add($"{at}.failure_percentage: must be in [0, 100] (was {o.FailurePercentage.ToString(CultureInfo.InvariantCulture)})");
        }

        if (o.ConsecutiveFailures == 0 && o.FailurePercentage == 0)
        {
            errors.Add($"{at}: consecutive_failures and failure_percentage are both 0, so nothing would eject a target (set enabled: false instead)");
        }

        if (o.MinimumRequests < 1)
        {
            errors.Add($"{at}.minimum_requests: must be at least 1 (was {o.MinimumRequests})");
        }

        if (o.WindowMs < 1_000)
        {
            errors.Add($"{at}.window_ms: must be at least 1000 (was {o.WindowMs})");
        }

        if (o.BaseEjectionMs < 1)
        {
            errors.Add($"{at}.base_ejection_ms: must be positive (was {o.BaseEjectionMs})");
        }

        if (o.MaxEjectionMs < o.BaseEjectionMs)
        {
            errors.Add($"{at}.max_ejection_ms: must be at least base_ejection_ms ({o.BaseEjectionMs}) (was {o.MaxEjectionMs})");
        }

        if (double.IsNaN(o.MaxEjectedPercent) || o.MaxEjectedPercent < 0 || o.MaxEjectedPercent > 100)
        {
            errors.Add($"{at}.max_ejected_percent: must be in [0, 100] (was {o.MaxEjectedPercent.ToString(CultureInfo.InvariantCulture)})");
        }
    }

    /// <summary>The names rules and variants may use; duplicates are an error only where something refers to targets by name.</summary>
    private static HashSet<string> TargetNames(IReadOnlyList<RouteTargetOptions> targets, string at, bool named, List<string> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < targets.Count; j++)
        {
            if (!names.Add(targets[j].EffectiveName) && named)
            {
                errors.Add($"{at}[{j}].name: duplicate target name '{targets[j].EffectiveName}' (give the targets distinct names)");
            }
        }

        return names;
    }

    private static void CheckTargetRefs(IReadOnlyList<string> refs, string at, HashSet<string> targetNames, List<string> errors)
    {
        if (refs.Count == 0)
        {
            errors.Add($"{at}: must name at least one target");
        }

        foreach (var name in refs)
        {
            if (!targetNames.Contains(name))
            {
                var known = string.Join(", ", targetNames.Order(StringComparer.Ordinal));
                errors.Add($"{at}: unknown target '{name}' (the route's targets: {known})");
            }
        }
    }

    private static void ValidateCanary(CanaryOptions? canary, string at, HashSet<string> targetNames, List<string> errors)
    {
        if (canary is null)
        {
            return;
        }

        if (!CanaryStickiness.All.Contains(canary.StickyBy, StringComparer.Ordinal))
        {
            errors.Add($"{at}.sticky_by: unknown value '{canary.StickyBy}' (one of: {string.Join(", ", CanaryStickiness.All)})");
        }
        else if (canary.StickyBy == CanaryStickiness.Header && string.IsNullOrWhiteSpace(canary.StickyHeader))
        {
            errors.Add($"{at}.sticky_header: is required when sticky_by is header");
        }

        if (canary.Variants.Count < 2)
        {
            errors.Add($"{at}.variants: must list at least two variants");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var sum = 0.0;
        for (var k = 0; k < canary.Variants.Count; k++)
        {
            var variant = canary.Variants[k];
            var path = $"{at}.variants[{k}]";
            if (string.IsNullOrWhiteSpace(variant.Name))
            {
                errors.Add($"{path}.name: is required");
            }
            else if (!names.Add(variant.Name))
            {
                errors.Add($"{path}.name: duplicate variant name '{variant.Name}'");
            }

            if (double.IsNaN(variant.Weight) || variant.Weight < 0 || variant.Weight > 100)
            {
                errors.Add($"{path}.weight: must be a percentage in [0, 100] (was {variant.Weight.ToString(CultureInfo.InvariantCulture)})");
            }
            else
            {
                sum += variant.Weight;
            }

            CheckTargetRefs(variant.Targets, $"{path}.targets", targetNames, errors);
        }

        if (canary.Variants.Count >= 2 && Math.Abs(sum - 100) > 1e-6)
        {
            errors.Add($"{at}.variants: the weights are percentages and must sum to 100 (they sum to {sum.ToString(CultureInfo.InvariantCulture)})");
        }
    }

    private static void ValidateRules(IReadOnlyList<RouteRuleOptions> rules, string at, HashSet<string> targetNames, List<string> errors)
    {
        for (var k = 0; k < rules.Count; k++)
        {
            var rule = rules[k];
            var path = $"{at}[{k}]";
            CheckTargetRefs(rule.Targets, $"{path}.targets", targetNames, errors);
            var m = rule.Match;
            if (m.MinPromptTokens < 0)
            {
                errors.Add($"{path}.match.min_prompt_tokens: must not be negative (was {m.MinPromptTokens})");
            }

            if (m.MaxPromptTokens < m.MinPromptTokens)
            {
                errors.Add($"{path}.match.max_prompt_tokens: must be at least min_prompt_tokens ({m.MinPromptTokens}) (was {m.MaxPromptTokens})");
            }
        }
    }

    private static void ValidateTargets(
        IReadOnlyList<RouteTargetOptions> targets, string at, IReadOnlyCollection<string> providerNames, bool isFallback, List<string> errors)
    {
        for (var j = 0; j < targets.Count; j++)
        {
            var target = targets[j];
            var path = $"{at}[{j}]";
            if (string.IsNullOrWhiteSpace(target.Provider))
            {
                errors.Add($"{path}.provider: is required");
            }
            else if (!providerNames.Contains(target.Provider))
            {
                var known = providerNames.Count == 0 ? "none" : string.Join(", ", providerNames.Order(StringComparer.Ordinal));
                errors.Add($"{path}.provider: unknown provider '{target.Provider}' (configured providers: {known})");
            }

            if (string.IsNullOrWhiteSpace(target.Model))
            {
                errors.Add($"{path}.model: is required");
            }

            if (!isFallback && (double.IsNaN(target.Weight) || double.IsInfinity(target.Weight) || target.Weight < 0))
            {
                errors.Add($"{path}.weight: must be a finite number >= 0 (was {target.Weight.ToString(CultureInfo.InvariantCulture)})");
            }

            CheckPrice(target.InputCostPerMillion, $"{path}.input_cost_per_million", errors);
            CheckPrice(target.CachedInputCostPerMillion, $"{path}.cached_input_cost_per_million", errors);
            CheckPrice(target.OutputCostPerMillion, $"{path}.output_cost_per_million", errors);
            if (target.Currency is not { Length: 3 } || !target.Currency.All(char.IsAsciiLetterUpper))
            {
                errors.Add($"{path}.currency: must be a 3-letter ISO 4217 code such as USD (was '{target.Currency}')");
            }
        }
    }

    private static void CheckPrice(decimal? price, string path, List<string> errors)
    {
        if (price < 0)
        {
            errors.Add($"{path}: must not be negative (was {price.Value.ToString(CultureInfo.InvariantCulture)})");
        }
    }

    private static void ValidateRetry(RouteRetryOptions retry, string at, List<string> errors)
    {
        if (retry.MaxRetries is < 0 or > 10)
        {
            errors.Add($"{at}.max_retries: must be between 0 and 10 (was {retry.MaxRetries})");
        }

        if (retry.BaseDelayMs < 0)
        {
            errors.Add($"{at}.base_delay_ms: must not be negative (was {retry.BaseDelayMs})");
        }

        if (retry.MaxDelayMs < retry.BaseDelayMs)
        {
            errors.Add($"{at}.max_delay_ms: must be at least base_delay_ms ({retry.BaseDelayMs}) (was {retry.MaxDelayMs})");
        }
    }

    private static void ValidateTimeouts(RouteTimeoutOptions timeouts, string at, List<string> errors)
    {
        if (timeouts.FirstTokenMs <= 0)
        {
            errors.Add($"{at}.first_token_ms: must be positive (was {timeouts.FirstTokenMs})");
        }

        if (timeouts.TotalMs <= 0)
        {
            errors.Add($"{at}.total_ms: must be positive (was {timeouts.TotalMs})");
        }
        else if (timeouts.FirstTokenMs > timeouts.TotalMs)
        {
            errors.Add($"{at}.first_token_ms: must not exceed total_ms ({timeouts.TotalMs}) (was {timeouts.FirstTokenMs})");
        }
    }

    private static void ValidateBreaker(RouteCircuitBreakerOptions breaker, string at, List<string> errors)
    {
        if (!breaker.Enabled)
        {
            return;
        }

        if (double.IsNaN(breaker.FailureRatio) || breaker.FailureRatio <= 0 || breaker.FailureRatio > 1)
        {
            errors.Add($"{at}.failure_ratio: must be in (0, 1] (was {breaker.FailureRatio.ToString(CultureInfo.InvariantCulture)})");
        }

        if (breaker.MinimumThroughput < 2)
        {
            errors.Add($"{at}.minimum_throughput: must be at least 2 (was {breaker.MinimumThroughput})");
        }

        if (breaker.SamplingDurationMs < 500)
        {
            errors.Add($"{at}.sampling_duration_ms: must be at least 500 (was {breaker.SamplingDurationMs})");
        }

        if (breaker.BreakDurationMs < 500)
        {
            errors.Add($"{at}.break_duration_ms: must be at least 500 (was {breaker.BreakDurationMs})");
        }
    }
}
