using System.Text.Json;
using Mesh.Gateway.Caching.Configuration;
using Mesh.Gateway.Caching.Keys;
using Mesh.Gateway.Caching.Semantic;
using Mesh.Gateway.Caching.Stores;
using Mesh.Gateway.Caching.Telemetry;
using Mesh.Gateway.Core.Caching;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Tenancy.Budgets;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Caching.Pipeline;

/// <summary>The response cache: plans a call (is it cacheable, under which key, for how long), looks answers up (exactly, then
/// semantically), keeps answers, and purges by tenant, route or key.</summary>
/// <remarks>Thread-safe; one instance for the sidecar. A store that fails is a miss, never an error.</remarks>
public sealed class ResponseCache
{
    private readonly ResponseCacheOptions _options;
    private readonly IResponseCacheStore _store;
    private readonly ISemanticEncoder? _encoder;
    private readonly SemanticIndex? _index;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<PriceTable>? _prices;
    private readonly RedisSemanticShare? _share;

    internal ResponseCache(ResponseCacheOptions options, IResponseCacheStore store, ISemanticEncoder? encoder, SemanticIndex? index, TimeProvider time, ILogger logger, Func<PriceTable>? prices = null, RedisSemanticShare? share = null)
    {
        _prices = prices;
        _share = share;
        _options = options;
        _store = store;
        _encoder = encoder;
        _index = index;
        _time = time;
        _logger = logger;
    }

    internal ResponseCacheOptions Options => _options;

    /// <summary>Removes the entries of <paramref name="tenant"/> ("" without tenants), of one <paramref name="route"/> of it
    /// when given, or the one entry of <paramref name="hash"/> (with the route, and the end user when the route partitions by it).</summary>
    /// <returns>How many entries (and semantic vectors) were removed.</returns>
    public async ValueTask<long> PurgeAsync(string tenant, string? route = null, string? hash = null, string? user = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var prefix = hash is null || route is null ? CacheKey.Prefix(tenant, route) : new CacheKey(tenant, route, user, hash).StoreKey;
        var removed = await _store.PurgeAsync(prefix, cancellationToken).ConfigureAwait(false);
        if (_index is not null && hash is null)
        {
            removed += _index.Purge(SemanticPrefix + prefix);
        }

        Log.Purged(_logger, removed, tenant, route ?? "*");
        return removed;
    }

    /// <summary>The plan for a call, or null when the cache stays out of it (not a chat call, a provider-stateful call, route not cached, sampled and the
    /// route does not cache sampled requests, the tenant's TTL is 0).</summary>
    internal CachePlan? Plan(InferenceContext context)
    {
        // A call continuing a response stored at the provider, or running its tools, has an answer no other call's entry can
        // stand for (the same new input after another stored conversation), and its own is no answer for a stateless call.
        if (context.Operation != InferenceOperation.Chat || context.ChatRequest is not { } request || request.IsProviderStateful
            || !_options.Routes.TryGetValue(context.Model, out var route))
        {
            return null;
        }

        // Temperature omitted means the provider's default, which samples.
        if (!route.CacheSampled && request.Temperature is not (<= 0))
        {
            return null;
        }

        var tenant = context.Identity?.TenantId ?? string.Empty;
        var ttl = TimeSpan.FromSeconds(route.TtlSeconds);
        if (_options.Tenants.TryGetValue(tenant, out var tenantOptions) && tenantOptions.TtlSeconds is { } tenantTtl)
        {
            if (tenantTtl == 0)
            {
                return null;
            }

            ttl = TimeSpan.FromSeconds(Math.Min(tenantTtl, route.TtlSeconds));
        }

        var control = CacheControl.Of(context);
        if (control.MaxAge is { } maxAge && maxAge < ttl)
        {
            ttl = maxAge;
        }

        var user = route.PerUser ? request.EndUserId ?? string.Empty : null;

        // A door that forwards the request itself (Envoy) knows the body's other fields only as a fingerprint: of the call's
        // messages for the key, of those without the last user message for the semantic partition.
        var fingerprint = context.Properties.TryGetValue(RequestFingerprint.Key, out var fingerprintOf) ? fingerprintOf : null;
        var key = new CacheKey(tenant, context.Model, user, fingerprint?.Invoke(request) ?? RequestHasher.Exact(request));
        var plan = new CachePlan(route, key, ttl, control);
        if (route.SemanticThreshold is not null && _index is not null && RequestHasher.Semantic(request) is { } semantic)
        {
            var partition = fingerprint is null ? semantic.Partition : fingerprint(request with { Messages = [.. request.Messages.Take(request.Messages.Count - 1)] });

            // The salient terms (numbers, names) join the partition: prompts that differ in them are never neighbours.
            var salient = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(SalientTerms.Signature(semantic.Prompt))))[..16];
            plan = plan with { Semantic = (SemanticPrefix + CacheKey.Prefix(tenant, context.Model) + CacheKey.Escape(user ?? string.Empty) + ":" + partition + ":" + salient + _encoder!.Tag, semantic.Prompt) };
        }

        return plan;
    }

    /// <summary>Semantic candidates above the threshold put to the verifier, closest first: at most this many verifier
    /// runs (each at most one short encoder batch for differing words not kept yet) a lookup. Chosen on the tuning split
    /// (docs/cache-quality.md, "Candidates tried"); the quality program models the lookup with it.</summary>
    internal const int SemanticCandidates = 2;

    private const string SemanticPrefix = "s|";

    /// <summary>The kept answer for the plan, exact first, then the closest one above the route's threshold; null on a miss.</summary>
    internal async ValueTask<(CachedResponse Entry, string Kind)?> LookupAsync(InferenceContext context, CachePlan plan, CancellationToken cancellationToken)
    {
        if (await ReadAsync(plan.Key.StoreKey, plan.Control, cancellationToken).ConfigureAwait(false) is { } exact)
        {
            return (exact, "exact");
        }

        if (plan.Semantic is not { } semantic || !PromptScript.IsMostlyLatin(semantic.Prompt))
        {
            return null;
        }

        try
        {
            if (await _encoder!.EncodeAsync(context, semantic.Prompt, cancellationToken).ConfigureAwait(false) is not { } vector)
            {
                return null;
            }

            if (_share is not null)
            {
                // What other sidecars kept in this partition since the last look.
                await _share.SyncAsync(semantic.Partition, _index!).ConfigureAwait(false);
            }

            // The closest cached prompts above the threshold are candidates, tried closest first; the encoder's verifier
            // decides each (the local encoder's pair verifier refuses near-duplicates whose differing words change the
            // question), and the first it accepts whose entry is still kept serves. Where the closest is a sibling
            // question's, the next may be a paraphrase's (docs/cache-quality.md, "Candidates tried").
            var candidates = new SemanticCandidate[SemanticCandidates];
            var count = _index!.Search(semantic.Partition, vector, (float)plan.Route.SemanticThreshold!.Value, candidates);
            for (var i = 0; i < count; i++)
            {
                var found = candidates[i];
                if (!_encoder.Confirms(semantic.Prompt, found.Prompt, found.Similarity, cancellationToken))
                {
                    CacheMetrics.Refused(context.Identity?.TenantId ?? string.Empty, context.Model);
                    continue;
                }

                if (await ReadAsync(found.EntryKey, plan.Control, cancellationToken).ConfigureAwait(false) is { } close)
                {
                    return (close, "semantic");
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.SemanticFailed(_logger, e.GetType().Name);
        }

        return null;
    }

    /// <summary>Keeps an answer (and its prompt's vector, for a semantic route); never throws, never delays the caller.</summary>
    internal async Task KeepAsync(InferenceContext context, CachePlan plan, ChatResponse response, ChatUsage usage, InferenceCost? cost)
    {
        try
        {
            // Everything that reads the call's context happens before the first await: the call goes on without us.
            float[]? vector = null;
            var semantic = plan.Semantic is { } s && PromptScript.IsMostlyLatin(s.Prompt) ? s.Prompt : null;
            if (semantic is not null)
            {
                vector = _encoder!.Kept(context, semantic);
            }

            // A target without its own price is priced from the price table (`prices:`), so a hit's saving is not 0.
            cost ??= PriceFromTable(context.ServedTarget?.Model ?? context.Model, usage);
            var entry = CachedResponse.From(response, usage, cost, _time.GetUtcNow());
            var bytes = JsonSerializer.SerializeToUtf8Bytes(entry, CacheJsonContext.Default.CachedResponse);
            if (!await _store.SetAsync(plan.Key.StoreKey, bytes, plan.Ttl, CancellationToken.None).ConfigureAwait(false))
            {
                return;
            }

            CacheMetrics.BytesWritten.Add(bytes.Length);
            if (semantic is not null && vector is null)
            {
                // A route encoder this call did not ask (its lookup was skipped: no-cache): encode now, off the caller's path.
                // A call whose lookup asked and got nothing has an empty vector, which is not kept.
                vector = await _encoder!.EncodeAsync(null, semantic, CancellationToken.None).ConfigureAwait(false);
            }

            if (vector is not null && semantic is not null && _index!.Fits(vector.Length))
            {
                _index!.Add(plan.Semantic!.Value.Partition, vector, plan.Key.StoreKey, semantic, plan.Ttl);
                if (_share is not null)
                {
                    await _share.PublishAsync(plan.Semantic!.Value.Partition, vector, plan.Key.StoreKey, semantic, plan.Ttl).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            Log.StoreFailed(_logger, e.GetType().Name);
        }
    }

    private InferenceCost? PriceFromTable(string model, ChatUsage usage)
    {
        if (_prices?.Invoke() is not { } table || !table.TryGetPrice(model, out var price))
        {
            return null;
        }

        var cached = Math.Clamp(usage.CachedInputTokens, 0, Math.Max(0, usage.InputTokens));
        var input = (((usage.InputTokens - cached) * price.Input) + (cached * price.CachedInput)) / 1_000_000m;
        return new InferenceCost("USD", input, usage.OutputTokens * price.Output / 1_000_000m);
    }

    /// <summary>Whether an answer may be kept: whole, not cut by a content filter.</summary>
    internal static bool IsKeepable(ChatResponse response) =>
        response.FinishReason is ChatFinishReason.Stop or ChatFinishReason.Length or ChatFinishReason.ToolCalls;

    private async ValueTask<CachedResponse?> ReadAsync(string key, CacheControl control, CancellationToken cancellationToken)
    {
        var bytes = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        CachedResponse? entry;
        try
        {
            entry = JsonSerializer.Deserialize(bytes, CacheJsonContext.Default.CachedResponse);
        }
        catch (JsonException e)
        {
            Log.EntryUnreadable(_logger, e.Message);
            return null;
        }

        if (entry is null)
        {
            return null;
        }

        if (control.MaxAge is { } maxAge && _time.GetUtcNow().ToUnixTimeMilliseconds() - entry.StoredAtMs > maxAge.TotalMilliseconds)
        {
            return null;
        }

        return entry;
    }
}
