using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Tenancy.Stores;
using Mesh.Gateway.Tokenizers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Registers limits, budgets and the usage ledger.</summary>
public static class LimitsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>store:</c>, <c>prices:</c>, <c>limits:</c>, <c>ledger:</c> and each tenant's <c>limits:</c> and <c>budget:</c>,
    /// validates them now (throwing with every error, each naming its key), and registers <see cref="IMeshLimiter"/>,
    /// <see cref="IUsageLedger"/> (a hosted service that drains on stop), the in-process counter store, the pipeline's limits
    /// step and the Envoy door's <see cref="IRequestAdmission"/> (on the same limiter and ledger).
    /// With <c>store.redis</c> set, also call <c>AddMeshRedis</c> (Mesh.Gateway.Redis), which puts the Redis store in its place.
    /// </summary>
    public static IServiceCollection AddMeshLimits(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var (limits, ledger) = MeshLimits.Bind(configuration);
        MeshLimits.ThrowIfInvalid(limits, ledger);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(limits);
        services.TryAddSingleton(ledger);
        services.TryAddSingleton(sp => new InProcessCounterStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ICounterStore>(sp => sp.GetRequiredService<InProcessCounterStore>());
        services.TryAddSingleton(sp => new MeshLimiter(
            sp.GetRequiredService<LimitsOptions>(),
            sp.GetRequiredService<ICounterStore>(),
            sp.GetRequiredService<InProcessCounterStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<MeshLimiter>>()));
        services.TryAddSingleton<IMeshLimiter>(sp => sp.GetRequiredService<MeshLimiter>());

        if (!string.IsNullOrEmpty(ledger.Path))
        {
            services.AddSingleton<ILedgerSink>(sp => new JsonlFileLedgerSink(ledger.Path, ledger.MaxFileMb * 1024L * 1024L, ledger.MaxFiles));
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
            sp.GetRequiredService<MeshLimiter>().Prices,
            sp.GetRequiredService<IUsageLedger>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IPromptTokenEstimator, ConservativePromptTokenEstimator>();
        services.TryAddSingleton(TokenCounter.Default);
        services.AddInferenceStep(InferenceStepOrder.Limits, sp => new LimitsStep(
            sp.GetRequiredService<IMeshLimiter>(),
            sp.GetRequiredService<IUsageLedger>(),
            sp.GetRequiredService<IPromptTokenEstimator>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<TokenCounter>()));
        services.AddHostedService(sp => new LimiterShutdown(sp.GetRequiredService<MeshLimiter>(), sp.GetRequiredService<LimitsOptions>(), sp.GetRequiredService<ICounterStore>()));
        return services;
    }
}
