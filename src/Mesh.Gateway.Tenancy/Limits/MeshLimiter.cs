using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Budgets;
using Mesh.Gateway.Tenancy.Stores;
using Mesh.Gateway.Tenancy.VirtualKeys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>
/// Turns a call into counter charges (one per applicable limit), reserves them all atomically in the store, and settles them later.
/// </summary>
/// <remarks>
/// When the shared store is unavailable: if any applicable limit fails closed the call is refused; otherwise the charges go
/// to the in-process fallback store, so limits still hold per sidecar. Every call tries the shared store first, so sharing
/// resumes by itself as soon as it answers again (the Redis connection reconnects in the background).
/// </remarks>
internal sealed class MeshLimiter : IMeshLimiter
{
    private const long Unlimited = 4_000_000_000_000_000; // nano-dollars; well inside a Lua double's exact range
    private static readonly TimeSpan s_second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_minute = TimeSpan.FromMinutes(1);

    private volatile Policy _policy;
    private readonly ICounterStore _store;
    private readonly ICounterStore _fallback;
    private readonly TimeProvider _time;
    private readonly Action<BudgetAlert>? _onAlert;
    private readonly ILogger _logger;
    private readonly string _prefix;
    private readonly TimeSpan _streamLease;
    private readonly ConcurrentDictionary<Task, byte> _retries = new();
    private readonly Func<string, VirtualKey?>? _virtualKeys;
    private readonly ConditionalWeakTable<VirtualKey, KeyRules> _keyRules = [];
    private int _degraded;

    // virtualKeys finds a virtual key by id (VirtualKeyRegistry.Get): its own limits and budget apply to its calls besides its tenant's.
    public MeshLimiter(LimitsOptions options, ICounterStore store, ICounterStore fallback, TimeProvider time, ILogger<MeshLimiter>? logger = null, Action<BudgetAlert>? onAlert = null, Func<string, VirtualKey?>? virtualKeys = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _fallback = fallback;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _onAlert = onAlert;
        _virtualKeys = virtualKeys;
        _prefix = options.Store.KeyPrefix;
        _streamLease = TimeSpan.FromSeconds(options.Store.StreamLeaseSeconds);
        _policy = Policy.Compile(options);
    }

    /// <summary>The prices of the configuration version in force.</summary>
    public PriceTable Prices => _policy.Prices;

    /// <summary>
    /// Swaps in the tenants' limits and budgets, the prices and the default output reservation of a new configuration version.
    /// Counters stay in the store keyed by tenant, so windows and spend of tenants whose rules did not change carry on; calls
    /// already admitted settle against the counters they charged. The store itself (<c>store:</c>) is not changed here.
    /// </summary>
    internal void Replace(LimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _policy = Policy.Compile(options);
    }

    /// <summary>Settlements still being retried (the store was unavailable when the call ended).</summary>
    public int PendingSettlements => _retries.Count;

    /// <inheritdoc/>
    public bool MayCharge(string tenantId) => _policy.Tenants.ContainsKey(tenantId);

    public async ValueTask<LimitDecision> AdmitAsync(LimitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var policy = _policy;
        var maxOutput = Math.Max(0, request.MaxOutputTokens ?? policy.DefaultMaxOutput);
        var tokens = Math.Max(0, request.EstimatedInputTokens) + maxOutput;
        var cost = policy.Prices.TryGetPrice(request.Model, out var price) ? PriceTable.Cost(price, request.EstimatedInputTokens, 0, maxOutput) : 0m;
        var reservationId = Guid.NewGuid().ToString("N");
        if (!policy.Tenants.TryGetValue(request.TenantId, out var rules))
        {
            return new LimitDecision { Lease = new LimitLease(this, _store, reservationId, request, [], tokens, cost) };
        }

        var charged = BuildCharges(rules, request, tokens, PriceTable.ToNanoUsd(cost), policy.FailClosed);
        if (charged.Count == 0)
        {
            return new LimitDecision { Lease = new LimitLease(this, _store, reservationId, request, [], tokens, cost) };
        }

        var charges = new CounterCharge[charged.Count];
        for (var i = 0; i < charges.Length; i++)
        {
            charges[i] = charged[i].Charge;
        }

        var store = _store;
        var admission = await _store.TryReserveAsync(reservationId, charges, cancellationToken).ConfigureAwait(false);
        if (admission.Outcome == CounterOutcome.StoreUnavailable)
        {
            if (Interlocked.Exchange(ref _degraded, 1) == 0)
            {
                Log.StoreUnavailable(_logger, _store.Name, admission.Error);
            }

            var closed = charged.FirstOrDefault(c => c.Rule.FailClosed);
            if (closed.Rule is not null)
            {
                return Deny(request, closed, LimitKind.StoreUnavailable, TimeSpan.FromSeconds(1), $"The limits store is unavailable and {Describe(closed.Rule.Kind)} for {closed.Subject} fails closed. Please try again shortly.");
            }

            store = _fallback;
            admission = await _fallback.TryReserveAsync(reservationId, charges, cancellationToken).ConfigureAwait(false);
        }
        else if (Volatile.Read(ref _degraded) == 1 && Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            Log.StoreRecovered(_logger, _store.Name);
        }

        if (admission.Outcome == CounterOutcome.Denied)
        {
            var denied = charged[admission.DeniedIndex];
            var state = admission.States[admission.DeniedIndex];
            var retry = denied.Rule.Kind is LimitKind.BudgetPerDay or LimitKind.BudgetPerMonth
                ? PeriodEnd(denied.Rule.Kind) - _time.GetUtcNow()
                : admission.RetryAfter;
            var message = denied.Rule.Kind is LimitKind.BudgetPerDay or LimitKind.BudgetPerMonth
                ? $"Budget reached for {denied.Subject}: {Describe(denied.Rule.Kind)} of {FormatUsd(denied.Rule.Limit)} USD, {FormatUsd(state.Used)} USD used or reserved."
                : $"Rate limit reached for {Describe(denied.Rule.Kind)} ({denied.Subject}): limit {denied.Rule.Limit}, used {state.Used}, requested {denied.Charge.Amount}."
                  + (retry is { } r ? $" Please try again in {RateLimitHeaders.FormatDuration(r)}." : " This call alone exceeds the limit.");
            var decision = Deny(request, denied, denied.Rule.Kind, retry, message);
            return decision with { Headers = Headers(charged, admission.States, denied: admission.DeniedIndex) };
        }

        return new LimitDecision
        {
            Lease = new LimitLease(this, store, reservationId, request, charged, tokens, cost),
            Headers = Headers(charged, admission.States, denied: -1),
            Alerts = await AlertsAsync(request, store, charged, admission.States, cancellationToken).ConfigureAwait(false),
        };
    }

    internal async ValueTask SettleAsync(ICounterStore store, string reservationId, IReadOnlyList<CounterSettlement> settlements, CancellationToken cancellationToken)
    {
        if (await store.SettleAsync(reservationId, settlements, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        // The store went away between reserve and settle: retry in the background so the caller is not held,
        // and so the reservation does not stay charged at its estimate once the store is back.
        var retry = RetrySettleAsync(store, reservationId, settlements);
        _retries.TryAdd(retry, 0);
        _ = retry.ContinueWith(t => _retries.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits for settlements being retried (used on shutdown).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (!_retries.IsEmpty && !cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAny(Task.WhenAll(_retries.Keys), Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        }
    }

    private async Task RetrySettleAsync(ICounterStore store, string reservationId, IReadOnlyList<CounterSettlement> settlements)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        const int attempts = 10;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            await Task.Delay(delay, _time).ConfigureAwait(false);
            if (await store.SettleAsync(reservationId, settlements, CancellationToken.None).ConfigureAwait(false))
            {
                return;
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
        }

        Log.SettleAbandoned(_logger, reservationId, store.Name, attempts);
    }

    private List<ChargedRule> BuildCharges(TenantRules rules, LimitRequest request, long tokens, long nanoUsd, bool failClosed)
    {
        var charged = new List<ChargedRule>(8);
        var tenantTag = $"{_prefix}:{{{request.TenantId}}}";
        var tenantSubject = "tenant:" + request.TenantId;
        AddAll(charged, rules.Tenant, request, tokens, nanoUsd, tenantTag + ":t", tenantSubject);
        var key = request.KeyId is null ? null : Sanitize(request.KeyId);
        if (key is not null)
        {
            AddAll(charged, rules.PerKey, request, tokens, nanoUsd, $"{tenantTag}:k:{key}", $"{tenantSubject}/key:{request.KeyId}");

            // A virtual key's own limits and budget, counted by its id (so across rotations, on every door and every sidecar
            // of the store). Only a key of this tenant: the id is the one authentication resolved.
            if (_virtualKeys is not null && request.KeyId!.StartsWith("vk-", StringComparison.Ordinal)
                && _virtualKeys(request.KeyId) is { } virtualKey && virtualKey.TenantId == request.TenantId
                && (virtualKey.Limits is not null || virtualKey.Budget is not null))
            {
                var keyRules = _keyRules.GetValue(virtualKey, static k => new KeyRules(k));
                AddAll(charged, keyRules.For(failClosed), request, tokens, nanoUsd, $"{tenantTag}:vk:{key}", $"{tenantSubject}/key:{request.KeyId}");
            }
        }

        if (rules.PerModel.TryGetValue(request.Model, out var modelRules))
        {
            AddAll(charged, modelRules, request, tokens, nanoUsd, $"{tenantTag}:m:{Sanitize(request.Model)}", $"{tenantSubject}/model:{request.Model}");
        }

        if (request.Prompt is { } prompt && rules.PerPrompt.TryGetValue(prompt, out var promptRules))
        {
            AddAll(charged, promptRules, request, tokens, nanoUsd, $"{tenantTag}:p:{Sanitize(prompt)}", $"{tenantSubject}/prompt:{prompt}");
        }

        if (key is not null && rules.PerKeyModel.TryGetValue(request.Model, out var keyModelRules))
        {
            AddAll(charged, keyModelRules, request, tokens, nanoUsd, $"{tenantTag}:km:{key}:{Sanitize(request.Model)}", $"{tenantSubject}/key:{request.KeyId}/model:{request.Model}");
        }

        return charged;
    }

    private void AddAll(List<ChargedRule> charged, IReadOnlyList<LimitRule> rules, LimitRequest request, long tokens, long nanoUsd, string keyBase, string subject)
    {
        foreach (var rule in rules)
        {
            var needed = rule.Kind is LimitKind.RequestsPerSecond or LimitKind.RequestsPerMinute
                ? rule.Scope is LimitScope.Model or LimitScope.KeyModel ? LimitCharges.ModelRequests : LimitCharges.Requests
                : LimitCharges.Usage;
            if ((request.Charges & needed) == 0)
            {
                continue;
            }

            CounterCharge? charge = rule.Kind switch
            {
                LimitKind.RequestsPerSecond => new(keyBase + ":rps", CounterKind.SlidingWindow, rule.Limit, s_second, 1),
                LimitKind.RequestsPerMinute => new(keyBase + ":rpm", CounterKind.SlidingWindow, rule.Limit, s_minute, 1),
                LimitKind.TokensPerMinute => new(keyBase + ":tpm", CounterKind.SlidingWindow, rule.Limit, s_minute, tokens),
                LimitKind.ConcurrentStreams when request.Streaming => new(keyBase + ":cs", CounterKind.Concurrency, rule.Limit, _streamLease, 1),
                LimitKind.BudgetPerDay or LimitKind.BudgetPerMonth => BudgetCharge(rule, keyBase, nanoUsd),
                _ => null,
            };
            if (charge is not null)
            {
                charged.Add(new ChargedRule(rule, charge, subject));
            }
        }
    }

    private CounterCharge BudgetCharge(LimitRule rule, string keyBase, long nanoUsd)
    {
        var now = _time.GetUtcNow();
        var end = PeriodEnd(rule.Kind);
        var period = rule.Kind == LimitKind.BudgetPerDay
            ? "bd:" + now.ToString("yyyyMMdd", CultureInfo.InvariantCulture)
            : "bm:" + now.ToString("yyyyMM", CultureInfo.InvariantCulture);

        // Keep the counter a day past the period so late settlements still find it.
        return new CounterCharge($"{keyBase}:{period}", CounterKind.FixedPeriod, rule.Limit, end - now + TimeSpan.FromDays(1), nanoUsd);
    }

    private DateTimeOffset PeriodEnd(LimitKind kind)
    {
        var now = _time.GetUtcNow();
        var day = new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero);
        return kind == LimitKind.BudgetPerDay ? day.AddDays(1) : new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
    }

    private LimitDecision Deny(LimitRequest request, ChargedRule rule, LimitKind kind, TimeSpan? retry, string message)
    {
        Log.Denied(_logger, request.TenantId, kind, rule.Rule.Scope);
        return new LimitDecision
        {
            Denial = new LimitDenial
            {
                Kind = kind,
                Scope = rule.Rule.Scope,
                RetryAfter = retry,
                Message = message,
                Violations = [new QuotaViolation(rule.Subject, kind == LimitKind.StoreUnavailable
                    ? "limits store unavailable (fails closed)"
                    : $"{ConfigName(rule.Rule.Kind)} limit {(rule.Rule.Kind is LimitKind.BudgetPerDay or LimitKind.BudgetPerMonth ? FormatUsd(rule.Rule.Limit) + " USD" : rule.Rule.Limit.ToString(CultureInfo.InvariantCulture))} reached")],
            },
        };
    }

    private static RateLimitHeaders Headers(List<ChargedRule> charged, IReadOnlyList<CounterState> states, int denied)
    {
        (long Limit, long Remaining, TimeSpan Reset)? requests = null;
        (long Limit, long Remaining, TimeSpan Reset)? tokens = null;
        for (var i = 0; i < states.Count && i < charged.Count; i++)
        {
            var (rule, charge, _) = charged[i];
            var remaining = i == denied ? Math.Max(0, rule.Limit - states[i].Used) : rule.Limit - states[i].Used - charge.Amount;

            // A window that held nothing resets one whole window after this call.
            var reset = states[i].Used == 0 && i != denied ? charge.Window : states[i].ResetAfter;
            if (rule.Kind is LimitKind.RequestsPerSecond or LimitKind.RequestsPerMinute)
            {
                if (requests is null || remaining < requests.Value.Remaining)
                {
                    requests = (rule.Limit, remaining, reset);
                }
            }
            else if (rule.Kind == LimitKind.TokensPerMinute && (tokens is null || remaining < tokens.Value.Remaining))
            {
                tokens = (rule.Limit, remaining, reset);
            }
        }

        return new RateLimitHeaders
        {
            LimitRequests = requests?.Limit,
            RemainingRequests = requests?.Remaining,
            ResetRequests = requests?.Reset,
            LimitTokens = tokens?.Limit,
            RemainingTokens = tokens?.Remaining,
            ResetTokens = tokens?.Reset,
        };
    }

    private async ValueTask<IReadOnlyList<BudgetAlert>> AlertsAsync(LimitRequest request, ICounterStore store, List<ChargedRule> charged, IReadOnlyList<CounterState> states, CancellationToken cancellationToken)
    {
        List<BudgetAlert>? alerts = null;
        for (var i = 0; i < charged.Count; i++)
        {
            var (rule, charge, _) = charged[i];
            if (rule.AlertAt <= 0 || rule.Kind is not (LimitKind.BudgetPerDay or LimitKind.BudgetPerMonth))
            {
                continue;
            }

            var before = states[i].Used;
            var after = before + charge.Amount;
            if (before >= rule.AlertAt || after < rule.AlertAt)
            {
                continue;
            }

            // A settlement can bring the counter back under the threshold and a later reservation cross it again, on
            // any sidecar: a once-per-period marker in the same store makes the alert fire once.
            var marker = new CounterCharge(charge.Key + ":alert", CounterKind.FixedPeriod, 1, charge.Window, 1);
            var once = await store.TryReserveAsync("alert", [marker], cancellationToken).ConfigureAwait(false);
            if (once.Outcome != CounterOutcome.Admitted)
            {
                continue;
            }

            // A virtual key's own budget (the only key-scoped budget with a threshold) alerts naming the key.
            var keyId = rule.Scope == LimitScope.Key ? request.KeyId : null;
            var alert = new BudgetAlert(request.TenantId, rule.Kind, after / 1_000_000_000m, rule.Budget / 1_000_000_000m, keyId);
            var period = rule.Kind == LimitKind.BudgetPerDay ? "daily" : "monthly";
            if (keyId is null)
            {
                Log.BudgetAlert(_logger, request.TenantId, period, alert.SpentUsd, alert.BudgetUsd);
            }
            else
            {
                Log.KeyBudgetAlert(_logger, keyId, request.TenantId, period, alert.SpentUsd, alert.BudgetUsd);
            }
            _onAlert?.Invoke(alert);
            (alerts ??= []).Add(alert);
        }

        return alerts ?? (IReadOnlyList<BudgetAlert>)[];
    }

    private static string Sanitize(string value) =>
        value.AsSpan().IndexOfAny("{}: ") < 0 ? value : value.Replace('{', '_').Replace('}', '_').Replace(':', '_').Replace(' ', '_');

    private static string FormatUsd(long nanoUsd) => (nanoUsd / 1_000_000_000m).ToString("0.######", CultureInfo.InvariantCulture);

    internal static string ConfigName(LimitKind kind) => kind switch
    {
        LimitKind.RequestsPerSecond => "requests_per_second",
        LimitKind.RequestsPerMinute => "requests_per_minute",
        LimitKind.TokensPerMinute => "tokens_per_minute",
        LimitKind.ConcurrentStreams => "concurrent_streams",
        LimitKind.BudgetPerDay => "per_day_usd",
        LimitKind.BudgetPerMonth => "per_month_usd",
        _ => "store",
    };

    private static string Describe(LimitKind kind) => kind switch
    {
        LimitKind.RequestsPerSecond => "requests per second",
        LimitKind.RequestsPerMinute => "requests per minute",
        LimitKind.TokensPerMinute => "tokens per minute",
        LimitKind.ConcurrentStreams => "concurrent streams",
        LimitKind.BudgetPerDay => "the daily budget",
        LimitKind.BudgetPerMonth => "the monthly budget",
        _ => "the limit",
    };

    /// <summary>A tenant's rules, grouped by scope.</summary>
    // What one configuration version says about limits, compiled once.
    private sealed class Policy
    {
        private Policy(PriceTable prices, Dictionary<string, TenantRules> tenants, long defaultMaxOutput, bool failClosed)
        {
            Prices = prices;
            Tenants = tenants;
            DefaultMaxOutput = defaultMaxOutput;
            FailClosed = failClosed;
        }

        /// <summary><c>store.on_store_failure</c> is <c>closed</c> (what a virtual key's own limits do while the store is down).</summary>
        public bool FailClosed { get; }

        public PriceTable Prices { get; }

        public Dictionary<string, TenantRules> Tenants { get; }

        public long DefaultMaxOutput { get; }

        public static Policy Compile(LimitsOptions options) => new(
            PriceTable.Create(options.Prices),
            options.Tenants
                .Where(t => !string.IsNullOrEmpty(t.Id))
                .GroupBy(t => t.Id, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => TenantRules.Compile(g.First(), options.Store.OnStoreFailure), StringComparer.Ordinal),
            options.DefaultMaxOutputTokens,
            TenantRules.IsClosed(options.Store.OnStoreFailure));
    }

    // A virtual key's rules, compiled once per version of the key (the registry swaps in a new record on every change).
    private sealed class KeyRules(VirtualKey key)
    {
        private readonly List<LimitRule> _open = Compile(key, failClosed: false);
        private readonly List<LimitRule> _closed = Compile(key, failClosed: true);

        public List<LimitRule> For(bool failClosed) => failClosed ? _closed : _open;

        private static List<LimitRule> Compile(VirtualKey key, bool failClosed)
        {
            var rules = new List<LimitRule>(4);
            if (key.Limits?.RequestsPerMinute is { } rpm)
            {
                rules.Add(new LimitRule(LimitKind.RequestsPerMinute, LimitScope.Key, rpm, failClosed));
            }

            if (key.Limits?.TokensPerMinute is { } tpm)
            {
                rules.Add(new LimitRule(LimitKind.TokensPerMinute, LimitScope.Key, tpm, failClosed));
            }

            foreach (var (kind, usd) in new[] { (LimitKind.BudgetPerDay, key.Budget?.PerDayUsd), (LimitKind.BudgetPerMonth, key.Budget?.PerMonthUsd) })
            {
                if (usd is { } value)
                {
                    var nano = PriceTable.ToNanoUsd(value);
                    var alertAt = key.Budget?.AlertAt ?? VirtualKeyBudget.DefaultAlertAt;
                    rules.Add(new LimitRule(kind, LimitScope.Key, nano, failClosed, null, (long)(nano * (decimal)alertAt), nano));
                }
            }

            return rules;
        }
    }

    internal sealed class TenantRules
    {
        public List<LimitRule> Tenant { get; } = [];

        public List<LimitRule> PerKey { get; } = [];

        public Dictionary<string, List<LimitRule>> PerModel { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, List<LimitRule>> PerKeyModel { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, List<LimitRule>> PerPrompt { get; } = new(StringComparer.Ordinal);

        public static TenantRules Compile(TenantOptions tenant, string defaultFailure)
        {
            var rules = new TenantRules();
            var limits = tenant.Limits;
            if (limits is not null)
            {
                AddSet(rules.Tenant, limits.Own, LimitScope.Tenant, defaultFailure, null);
                if (limits.PerKey is not null)
                {
                    AddSet(rules.PerKey, limits.PerKey, LimitScope.Key, limits.OnStoreFailure ?? defaultFailure, null);
                }

                foreach (var (model, set) in limits.Models)
                {
                    rules.PerModel[model] = [];
                    AddSet(rules.PerModel[model], set, LimitScope.Model, limits.OnStoreFailure ?? defaultFailure, model);
                }

                foreach (var (prompt, set) in limits.Prompts)
                {
                    rules.PerPrompt[prompt] = [];
                    AddSet(rules.PerPrompt[prompt], set, LimitScope.Model, limits.OnStoreFailure ?? defaultFailure, "prompt:" + prompt);
                }

                foreach (var (model, set) in limits.PerKeyModels)
                {
                    rules.PerKeyModel[model] = [];
                    AddSet(rules.PerKeyModel[model], set, LimitScope.KeyModel, limits.OnStoreFailure ?? defaultFailure, model);
                }
            }

            if (tenant.Budget is { } budget)
            {
                var closed = IsClosed(budget.OnStoreFailure ?? defaultFailure);
                foreach (var (kind, usd) in new[] { (LimitKind.BudgetPerDay, budget.PerDayUsd), (LimitKind.BudgetPerMonth, budget.PerMonthUsd) })
                {
                    if (usd is { } value)
                    {
                        var nano = PriceTable.ToNanoUsd(value);
                        rules.Tenant.Add(new LimitRule(kind, LimitScope.Tenant, budget.HardStop ? nano : Unlimited, closed, null, (long)(nano * budget.AlertAt), nano));
                    }
                }
            }

            return rules;
        }

        private static void AddSet(List<LimitRule> into, LimitSetOptions set, LimitScope scope, string inheritedFailure, string? model)
        {
            var closed = IsClosed(set.OnStoreFailure ?? inheritedFailure);
            foreach (var (kind, limit) in new[]
            {
                (LimitKind.RequestsPerSecond, set.RequestsPerSecond),
                (LimitKind.RequestsPerMinute, set.RequestsPerMinute),
                (LimitKind.TokensPerMinute, set.TokensPerMinute),
                (LimitKind.ConcurrentStreams, set.ConcurrentStreams),
            })
            {
                if (limit is { } value)
                {
                    into.Add(new LimitRule(kind, scope, value, closed, model));
                }
            }

            // A set's budgets are hard stops without alerts; the tenant's own budget is the one that alerts.
            foreach (var (kind, usd) in new[] { (LimitKind.BudgetPerDay, set.PerDayUsd), (LimitKind.BudgetPerMonth, set.PerMonthUsd) })
            {
                if (usd is { } value)
                {
                    into.Add(new LimitRule(kind, scope, PriceTable.ToNanoUsd(value), closed, model));
                }
            }
        }

        internal static bool IsClosed(string failure) => string.Equals(failure, "closed", StringComparison.OrdinalIgnoreCase);
    }
}
