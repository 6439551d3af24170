using System.Globalization;
using Mesh.Gateway.Tenancy.Budgets;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Checks limits, budgets, prices, store and ledger settings; each error names the key path and what is wrong.</summary>
public sealed class LimitsOptionsValidator(LedgerOptions ledgerOptions) : IValidateOptions<LimitsOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, LimitsOptions options) => MeshOptions.Result(Validate(options, ledgerOptions));

    public static IReadOnlyList<string> Validate(LimitsOptions options, LedgerOptions? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var store = options.Store;
        if (store.Redis is not null && !IsRedisUrl(store.Redis))
        {
            errors.Add($"store.redis: must be a URL like redis://[user:password@]host:port or rediss://... (was '{RedactUrl(store.Redis)}')");
        }

        CheckFailure(errors, "store.on_store_failure", store.OnStoreFailure);
        Positive(errors, "store.connect_timeout_ms", store.ConnectTimeoutMs);
        Positive(errors, "store.command_timeout_ms", store.CommandTimeoutMs);
        Positive(errors, "store.stream_lease_seconds", store.StreamLeaseSeconds);
        if (string.IsNullOrWhiteSpace(store.KeyPrefix) || store.KeyPrefix.AsSpan().IndexOfAny("{} ") >= 0)
        {
            errors.Add($"store.key_prefix: must be non-empty without braces or spaces (was '{store.KeyPrefix}')");
        }

        Positive(errors, "limits.default_max_output_tokens", options.DefaultMaxOutputTokens);
        if (options.AlertWebhook is { } webhook
            && (!Uri.TryCreate(webhook, UriKind.Absolute, out var hook) || hook.Scheme is not ("http" or "https")))
        {
            errors.Add($"limits.alert_webhook: must be an absolute http or https URL (was '{RedactUrl(webhook)}')");
        }

        foreach (var (model, price) in options.Prices)
        {
            var at = $"prices.{model}";
            NotNegative(errors, at + ".input", price.Input);
            NotNegative(errors, at + ".cached_input", price.CachedInput);
            NotNegative(errors, at + ".output", price.Output);
            if (!PriceTable.Defaults.ContainsKey(model))
            {
                if (price.Input is null)
                {
                    errors.Add($"{at}.input: is required for a model the built-in price table does not know");
                }

                if (price.Output is null)
                {
                    errors.Add($"{at}.output: is required for a model the built-in price table does not know");
                }
            }
        }

        var prices = PriceTable.Create(options.Prices);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Tenants.Count; i++)
        {
            var tenant = options.Tenants[i];
            var at = $"tenants[{i}]";
            if ((tenant.Limits is not null || tenant.Budget is not null) && string.IsNullOrWhiteSpace(tenant.Id))
            {
                errors.Add($"{at}.id: is required for a tenant with limits or a budget");
            }

            if (tenant.Limits is { } limits)
            {
                CheckSet(errors, $"{at}.limits", limits.Own);
                if (limits.PerKey is not null)
                {
                    CheckSet(errors, $"{at}.limits.per_key", limits.PerKey);
                }

                foreach (var (section, models) in new[] { ("models", limits.Models), ("per_key_models", limits.PerKeyModels) })
                {
                    foreach (var (model, set) in models)
                    {
                        var path = $"{at}.limits.{section}.{model}";
                        if (!prices.TryGetPrice(model, out _))
                        {
                            errors.Add($"{path}: unknown model '{model}' (not in the price table; add it under prices with input and output prices)");
                        }

                        CheckSet(errors, path, set);
                    }
                }

                foreach (var (prompt, set) in limits.Prompts)
                {
                    CheckSet(errors, $"{at}.limits.prompts.{prompt}", set);
                }
            }

            if (tenant.Budget is { } budget)
            {
                NotNegative(errors, $"{at}.budget.per_day_usd", budget.PerDayUsd);
                NotNegative(errors, $"{at}.budget.per_month_usd", budget.PerMonthUsd);
                if (budget.AlertAt is <= 0 or > 1 || double.IsNaN(budget.AlertAt))
                {
                    errors.Add($"{at}.budget.alert_at: must be a fraction above 0 and at most 1 (was {budget.AlertAt.ToString(CultureInfo.InvariantCulture)})");
                }

                if (budget.OnStoreFailure is not null)
                {
                    CheckFailure(errors, $"{at}.budget.on_store_failure", budget.OnStoreFailure);
                }

                if ((budget.PerDayUsd ?? 0) > 4_000_000m || (budget.PerMonthUsd ?? 0) > 4_000_000m)
                {
                    errors.Add($"{at}.budget: budgets above 4,000,000 USD are not supported");
                }
            }
        }

        if (ledger is not null)
        {
            Positive(errors, "ledger.capacity", ledger.Capacity);
            Positive(errors, "ledger.max_file_mb", ledger.MaxFileMb);
            if (ledger.MaxFiles < 0)
            {
                errors.Add($"ledger.max_files: must not be negative (was {ledger.MaxFiles})");
            }

            if (ledger.RedisStream is not null && store.Redis is null)
            {
                errors.Add("ledger.redis_stream: needs store.redis to be set");
            }

            if (ledger.OtlpEndpoint is { } otlp && (!Uri.TryCreate(otlp, UriKind.Absolute, out var otlpUri) || otlpUri.Scheme is not ("http" or "https")))
            {
                errors.Add($"ledger.otlp_endpoint: must be an absolute http:// or https:// URL (was '{otlp}')");
            }

            if (ledger.OtlpProtocol is not ("http/protobuf" or "grpc"))
            {
                errors.Add($"ledger.otlp_protocol: must be http/protobuf or grpc (was '{ledger.OtlpProtocol}')");
            }

            if (ledger.Postgres is not null)
            {
                try
                {
                    _ = new Npgsql.NpgsqlConnectionStringBuilder(ledger.Postgres);
                }
                catch (ArgumentException ex)
                {
                    // The message names the offending keyword, never the password's value.
                    errors.Add($"ledger.postgres: not a valid connection string ({ex.Message})");
                }
            }

            if (!PostgresLedgerSink.IsValidTableName(ledger.PostgresTable))
            {
                errors.Add($"ledger.postgres_table: must be a table name, optionally schema-qualified, of letters, digits and _ (was '{ledger.PostgresTable}')");
            }
        }

        return errors;
    }

    private static void CheckSet(List<string> errors, string at, LimitSetOptions set)
    {
        NotNegative(errors, at + ".requests_per_second", set.RequestsPerSecond);
        NotNegative(errors, at + ".requests_per_minute", set.RequestsPerMinute);
        NotNegative(errors, at + ".tokens_per_minute", set.TokensPerMinute);
        NotNegative(errors, at + ".concurrent_streams", set.ConcurrentStreams);
        NotNegative(errors, at + ".per_day_usd", set.PerDayUsd);
        NotNegative(errors, at + ".per_month_usd", set.PerMonthUsd);
        if ((set.PerDayUsd ?? 0) > 4_000_000m || (set.PerMonthUsd ?? 0) > 4_000_000m)
        {
            errors.Add($"{at}: budgets above 4,000,000 USD are not supported");
        }
        if (set.OnStoreFailure is not null)
        {
            CheckFailure(errors, at + ".on_store_failure", set.OnStoreFailure);
        }
    }

    private static void CheckFailure(List<string> errors, string at, string value)
    {
        if (!string.Equals(value, "open", StringComparison.OrdinalIgnoreCase) && !string.Equals(value, "closed", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{at}: must be open or closed (was '{value}')");
        }
    }

    private static void NotNegative(List<string> errors, string at, long? value)
    {
        if (value < 0)
        {
            errors.Add($"{at}: must not be negative (was {value.Value.ToString(CultureInfo.InvariantCulture)})");
        }
    }

    private static void NotNegative(List<string> errors, string at, decimal? value)
    {
        if (value < 0)
        {
            errors.Add($"{at}: must not be negative (was {value.Value.ToString(CultureInfo.InvariantCulture)})");
        }
    }

    private static void Positive(List<string> errors, string at, long value)
    {
        if (value <= 0)
        {
            errors.Add($"{at}: must be positive (was {value.ToString(CultureInfo.InvariantCulture)})");
        }
    }

    private static bool IsRedisUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme is "redis" or "rediss") && !string.IsNullOrEmpty(uri.Host)
        && (uri.AbsolutePath.Trim('/').Length == 0 || int.TryParse(uri.AbsolutePath.Trim('/'), NumberStyles.None, CultureInfo.InvariantCulture, out _));

    /// <summary>A Redis URL with its password hidden.</summary>
    public static string RedactUrl(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var at = value.LastIndexOf('@');
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0 || at < scheme)
        {
            return value;
        }

        var info = value[(scheme + 3)..at];
        var colon = info.IndexOf(':', StringComparison.Ordinal);
        return value[..(scheme + 3)] + (colon < 0 ? "***" : info[..colon] + ":***") + value[at..];
    }
}
