using Mesh.Gateway.Caching;
using Mesh.Gateway.Caching.Configuration;
using Mesh.Gateway.Caching.Pipeline;
using Mesh.Gateway.Caching.Semantic;
using Mesh.Gateway.Caching.Stores;
using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the response cache (exact and semantic) to the gateway.</summary>
public static class CachingGatewayBuilderExtensions
{
    /// <summary>
    /// Binds <c>cache:</c> once (validated at start) and adds the response-cache step to the inference pipeline
    /// (<see cref="InferenceStepOrder.ResponseCache"/>). Entries live in this process, or with <c>store.redis</c> set in that
    /// Redis (needs <c>AddLimits()</c>, which owns the connection). A route with <c>semantic_threshold</c> needs
    /// <c>AddSentenceEncoder()</c>. Adding it again adds nothing.
    /// </summary>
    public static IMeshGatewayBuilder AddResponseCache(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.TryAddFeature(nameof(AddResponseCache)))
        {
            return builder;
        }

        var bindErrors = new List<string>();
        var options = ResponseCacheOptionsReader.Read(builder.Configuration, bindErrors);
        var services = builder.Services;
        services.TryAddValidator<ResponseCacheOptions, ResponseCacheOptionsValidator>();
        services.AddBoundOptions(options, bindErrors);
        services.AddConfigurationSection("cache", ConfigurationNode.Mapping(
            ConfigurationKey.Value("max_bytes", "bytes", null, "The in-process store's bound; least recently used entries are evicted beyond it."),
            ConfigurationKey.Value("semantic_max_bytes", "bytes", null, "The semantic vector index's bound (evicted the same way)."),
            ConfigurationKey.Value("charge_tokens", "boolean", "false", "Charge a hit to token budgets too (by default a hit counts against request limits only)."),
            ConfigurationKey.Value("encoder", "model route", null, "An Embed route whose vectors the semantic cache uses instead of the local sentence encoder (thresholds are then that model's cosine)."),
            ConfigurationKey.Nested("routes", ConfigurationNode.Map(ConfigurationNode.Mapping(
                ConfigurationKey.Value("ttl_seconds", "integer", null, "How long an answer is kept."),
                ConfigurationKey.Value("cache_sampled", "boolean", "false", "Cache requests that sample (temperature above 0, or omitted)."),
                ConfigurationKey.Value("per_user", "boolean", "false", "Partition entries by the caller's user as well as the tenant."),
                ConfigurationKey.Value("semantic_threshold", "number (0..1)", null, "Cosine similarity for a semantic hit candidate (with the local encoder the pair verifier then accepts or refuses it; docs/cache-quality.md tunes 0.83 with the int8 encoder); unset: exact hits only."))),
                "Caching per route (by route name); a route not listed is not cached."),
            ConfigurationKey.Nested("tenants", ConfigurationNode.Map(ConfigurationNode.Mapping(
                ConfigurationKey.Value("ttl_seconds", "integer", null, "A shorter TTL for this tenant's entries."))),
                "Per-tenant settings (by tenant id).")),
            "The response cache (exact and semantic).");
        var semantic = options.Routes.Values.Any(static r => r.SemanticThreshold is not null);
        if (semantic && options.Encoder is null)
        {
            builder.Requires(nameof(AddResponseCache), "AddSentenceEncoder");
        }

        if (options.Encoder is not null)
        {
            // The encoder route is called through this gateway's router; its name must be a models: route.
            builder.Requires(nameof(AddResponseCache), "AddInferenceApi");
            services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ResponseCacheOptions>>(new CacheEncoderRouteValidator(builder.Configuration));
        }

        var redis = !string.IsNullOrEmpty(builder.Configuration["store:redis"]);
        if (redis)
        {
            builder.Requires(nameof(AddResponseCache), "AddLimits");
        }

        services.AddSingleton(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("Mesh.Gateway.Caching") ?? NullLogger.Instance;
            IResponseCacheStore store;
            RedisSemanticShare? share = null;
            if (redis)
            {
                var connector = sp.GetRequiredService<RedisConnector>();
                var keyPrefix = sp.GetRequiredService<LimitsOptions>().Store.KeyPrefix;
                store = new RedisResponseCacheStore(() => connector.Database, keyPrefix, logger);
                if (semantic)
                {
                    // Each partition's stream holds about as many vectors as this sidecar's index can (a few hundred bytes each).
                    var perPartition = (int)Math.Clamp(options.SemanticMaxBytes / 300, 1000, 1_000_000);
                    share = new RedisSemanticShare(() => connector.Database, keyPrefix, perPartition, logger);
                }
            }
            else
            {
                store = new InProcessResponseCacheStore(options.MaxBytes, time);
            }

            ISemanticEncoder? encoder = null;
            SemanticIndex? index = null;
            if (semantic && options.Encoder is { } route)
            {
                // The route's model decides the vectors' length: the index takes the first one's. The router is resolved on
                // the first lookup (it is the pipeline's terminal, built after this step).
                encoder = new RouteSemanticEncoder(route, () => sp.GetService<InferenceRouter>() is { } router ? router.HandleAsync : null, time, logger);
                index = new SemanticIndex(0, options.SemanticMaxBytes, time);
            }
            else if (semantic)
            {
                // Resolved on the first semantic lookup, so the model loads only when a semantic route is used.
                encoder = new LocalSemanticEncoder(() => sp.GetRequiredService<ITextEncoder>(), PairVerifier.Shipped);
                // The index holds the learned layer's output (docs/cache-quality.md), not the encoder's own vectors.
                index = new SemanticIndex(CacheProjection.Shipped.Outputs, options.SemanticMaxBytes, time);
            }

            // The price table (with limits on) prices a kept answer whose target has no price of its own; read per answer, so a
            // reloaded `prices:` applies.
            var limiter = sp.GetService<MeshLimiter>();
            return new ResponseCache(options, store, encoder, index, time, logger, limiter is null ? null : () => limiter.Prices, share);
        });
        // Without a cached route there is no step at all (the Envoy door then takes no pipeline path for it).
        if (options.Routes.Count > 0)
        {
            services.AddInferenceStep(InferenceStepOrder.ResponseCache, static sp => new ResponseCacheStep(sp.GetRequiredService<ResponseCache>()));
        }
        return builder;
    }

    /// <summary>Maps <c>DELETE /cache?tenant=&amp;route=&amp;key=</c> (purge) on the admin listener, wrapped by
    /// <paramref name="guard"/> (the host's admin authentication) when given.</summary>
    public static IEndpointRouteBuilder MapResponseCacheAdmin(this IEndpointRouteBuilder admin, Func<RequestDelegate, RequestDelegate>? guard = null)
    {
        ArgumentNullException.ThrowIfNull(admin);
        if (admin.ServiceProvider.GetService<ResponseCache>() is not null)
        {
            RequestDelegate purge = ResponseCacheAdmin.PurgeAsync;
            admin.MapMethods("/cache", [HttpMethods.Delete], guard is null ? purge : guard(purge));
        }

        return admin;
    }
}
