using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Budgets;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Tenancy.Stores;
using Mesh.Gateway.Tenancy.Stores.Redis;
using Mesh.Gateway.Tenancy.VirtualKeys;
using Mesh.Gateway.Tokenizers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Registers limits, budgets and the usage ledger.</summary>
public static class LimitsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>store:</c>, <c>prices:</c>, <c>limits:</c>, <c>ledger:</c> and each tenant's <c>limits:</c> and <c>budget:</c>,
    /// (validated by <see cref="LimitsOptionsValidator"/> when the host starts, each error naming its key), and registers <see cref="IMeshLimiter"/>,
    /// <see cref="IUsageLedger"/> (a hosted service that drains on stop), the in-process counter store, the pipeline's limits
    /// step (admission and settlement on every door) and the Envoy door's Check-time <see cref="IRequestAdmission"/> (request
    /// counts, on the same limiter and ledger).
    /// With <c>store.redis</c> set, the counters live in Redis instead (StackExchange.Redis, connected when the host starts;
    /// a start that cannot reach Redis fails naming <c>store.redis</c>) and <c>ledger.redis_stream</c> adds a stream sink.
    /// </summary>
    public static IServiceCollection AddMeshLimits(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(static d => d.ServiceType == typeof(LimitsOptions)))
        {
            return services;
        }

        var (limits, ledger) = MeshLimits.Bind(configuration, MeshTenants.Bind(services, configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IValidateOptions<LimitsOptions>>(new LimitsOptionsValidator(ledger));
        services.AddBoundOptions(limits);
        services.AddConfigurationSection("store", ConfigurationNode.Of<StoreOptions>(), "Where limit and budget counters live: in process, or Redis shared by every replica.");
        services.AddConfigurationSection("prices", ConfigurationNode.Map(ConfigurationNode.Of<Budgets.ModelPriceOptions>()),
            "USD per million tokens by model name, merged over the built-in table (for budgets).");
        services.AddConfigurationSection("limits", ConfigurationNode.Mapping(
            ConfigurationKey.Value("default_max_output_tokens", "integer", "4096", "The output reserved for a call that does not set its maximum output tokens."),
            ConfigurationKey.Value("alert_webhook", "URL (http or https)", null, "Each budget alert is POSTed here as JSON (once per threshold per period), besides its log line.")),
            "Defaults for every tenant's limits.");
        services.AddConfigurationSection("ledger", ConfigurationNode.Of<LedgerOptions>(), "The usage ledger: one record per call, to a JSONL file, Redis, OTLP or PostgreSQL.");
        services.TryAddSingleton(ledger);
        services.TryAddSingleton(sp => new InProcessCounterStore(sp.GetRequiredService<TimeProvider>()));
        if (limits.Store.Redis is null)
        {
            services.TryAddSingleton<ICounterStore>(sp => sp.GetRequiredService<InProcessCounterStore>());
        }
        else
        {
            services.TryAddSingleton(sp => new RedisConnector(limits.Store, sp.GetService<ILoggerFactory>()));

            // Ahead of every other hosted service, so the connection is up before anything admits a call.
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<RedisConnector>()));
            services.TryAddSingleton<ICounterStore>(sp =>
            {
                var connector = sp.GetRequiredService<RedisConnector>();
                return new RedisCounterStore(() => connector.Database);
            });

            // Virtual keys shared by every sidecar of store.redis (replacing tenancy's in-process store).
            services.Replace(ServiceDescriptor.Singleton<IVirtualKeyStore>(sp =>
                new RedisVirtualKeyStore(sp.GetRequiredService<RedisConnector>(), limits.Store.KeyPrefix)));

            // Prompt templates managed through the admin API, likewise shared (replacing the prompts' in-process store).
            services.Replace(ServiceDescriptor.Singleton<Core.Prompts.IPromptTemplateStore>(sp =>
                new RedisPromptTemplateStore(sp.GetRequiredService<RedisConnector>(), limits.Store.KeyPrefix)));
        }

        services.TryAddSingleton(sp => new MeshLimiter(
            sp.GetRequiredService<LimitsOptions>(),
            sp.GetRequiredService<ICounterStore>(),
            sp.GetRequiredService<InProcessCounterStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<MeshLimiter>>(),
            limits.AlertWebhook is null ? null : sp.GetRequiredService<BudgetAlertWebhook>().Post,
            sp.GetService<VirtualKeyRegistry>() is { } virtualKeys ? virtualKeys.Get : null));
        if (limits.AlertWebhook is { } webhook)
        {
            services.TryAddSingleton(sp => new BudgetAlertWebhook(new Uri(webhook), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<BudgetAlertWebhook>>()));
            services.AddHostedService(sp => sp.GetRequiredService<BudgetAlertWebhook>());
        }
        services.TryAddSingleton<IMeshLimiter>(sp => sp.GetRequiredService<MeshLimiter>());
        // The table in force, read per lookup: a reloaded `prices:` reaches the router's cost strategy too.
        services.TryAddSingleton<IModelPriceLookup>(sp => new CurrentPrices(sp.GetRequiredService<MeshLimiter>()));

        if (!string.IsNullOrEmpty(ledger.Path))
        {
            services.AddSingleton<ILedgerSink>(sp => new JsonlFileLedgerSink(ledger.Path, ledger.MaxFileMb * 1024L * 1024L, ledger.MaxFiles));
        }

        if (ledger.RedisStream is { } stream)
        {
            services.AddSingleton<ILedgerSink>(sp =>
            {
                var connector = sp.GetRequiredService<RedisConnector>();
                return new RedisStreamLedgerSink(() => connector.Database, stream, ledger.RedisStreamMaxLength);
            });
            services.TryAddSingleton<ILedgerReader>(sp =>
            {
                var connector = sp.GetRequiredService<RedisConnector>();
                return new RedisStreamLedgerReader(() => connector.Database, stream);
            });
        }

        if (ledger.OtlpEndpoint is { } otlp)
        {
            services.AddSingleton<ILedgerSink>(_ => new OtlpLedgerSink(new Uri(otlp), ledger.OtlpProtocol));
        }

        if (ledger.Postgres is { } postgres)
        {
            services.AddSingleton<ILedgerSink>(_ => new PostgresLedgerSink(postgres, ledger.PostgresTable));
        }

        services.TryAddSingleton(sp => new UsageLedger(
            sp.GetRequiredService<LedgerOptions>(),
            sp.GetServices<ILedgerSink>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<UsageLedger>>()));
        services.TryAddSingleton<IUsageLedger>(sp => sp.GetRequiredService<UsageLedger>());
        services.AddHostedService(sp => sp.GetRequiredService<UsageLedger>());
        services.TryAddSingleton<IRequestAdmission>(sp => new LimiterAdmission(
            sp.GetRequiredService<IMeshLimiter>(),
            sp.GetRequiredService<IUsageLedger>(),
            sp.GetRequiredService<TimeProvider>()));
        // One prompt-token counter for both doors: the tokenizer the Envoy door counts with (exact where the encoding is known).
        services.TryAddSingleton(TokenCounter.Default);
        services.TryAddSingleton<IPromptTokenEstimator>(sp => new TokenizerPromptTokenEstimator(
            sp.GetRequiredService<TokenCounter>(), sp.GetRequiredService<Mesh.Gateway.Core.Routing.RoutingTableHolder>()));
        services.AddInferenceStep(InferenceStepOrder.Limits, sp => new LimitsStep(
            sp.GetRequiredService<IMeshLimiter>(),
            sp.GetRequiredService<IUsageLedger>(),
            sp.GetRequiredService<IPromptTokenEstimator>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<TokenCounter>()));
        services.AddHostedService(sp => new LimiterShutdown(sp.GetRequiredService<MeshLimiter>()));
        return services;
    }
}
