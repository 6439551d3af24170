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
        }

        return errors;
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
