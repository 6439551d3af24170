using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Tenancy.Budgets;
using Mesh.Gateway.Tenancy.Stores;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>What an admitted call reserved; settling replaces the reservation with the real usage.</summary>
/// <remarks>Settle or release exactly once; later calls do nothing. Thread-safe.</remarks>
public sealed class LimitLease : IAsyncDisposable
{
    private readonly MeshLimiter _limiter;
    private readonly ICounterStore _store;
    private readonly IReadOnlyList<ChargedRule> _charged;
    private int _settled;

    internal LimitLease(MeshLimiter limiter, ICounterStore store, string reservationId, LimitRequest request, IReadOnlyList<ChargedRule> charged, long reservedTokens, decimal reservedCostUsd)
    {
        _limiter = limiter;
        _store = store;
        _charged = charged;
        ReservationId = reservationId;
        Request = request;
        ReservedTokens = reservedTokens;
        ReservedCostUsd = reservedCostUsd;
    }

    public string ReservationId { get; }

    public LimitRequest Request { get; }

    /// <summary>Tokens reserved against token limits (estimated prompt plus maximum output).</summary>
    public long ReservedTokens { get; }

    public decimal ReservedCostUsd { get; }

    /// <summary>The store that holds the reservation ("redis", or "memory" when failed open).</summary>
    public string StoreName => _store.Name;

    public bool IsSettled => Volatile.Read(ref _settled) != 0;

    /// <summary>Settles with the usage the provider reported; returns the call's cost in US dollars.</summary>
    public ValueTask<decimal> SettleAsync(ChatUsage usage, CancellationToken cancellationToken = default) => SettleAsync(usage, null, cancellationToken);

    /// <summary>Settles with the usage the provider reported, priced as <paramref name="servedModel"/> when routing served another model than the one asked for.</summary>
    public ValueTask<decimal> SettleAsync(ChatUsage usage, string? servedModel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return Interlocked.Exchange(ref _settled, 1) != 0 ? ValueTask.FromResult(0m) : SettleCoreAsync(usage, servedModel, cancellationToken);
    }

    /// <summary>Releases after a failure or cancellation, keeping whatever usage was reported before it (none releases everything but the request count).</summary>
    public ValueTask<decimal> ReleaseAsync(ChatUsage? partialUsage = null, CancellationToken cancellationToken = default) =>
        SettleAsync(partialUsage ?? ChatUsage.Empty, cancellationToken);

    public async ValueTask DisposeAsync() => await ReleaseAsync().ConfigureAwait(false);

    private async ValueTask<decimal> SettleCoreAsync(ChatUsage usage, string? servedModel, CancellationToken cancellationToken)
    {
        var cost = servedModel is not null && _limiter.Prices.TryGetPrice(servedModel, out _)
            ? _limiter.Prices.Cost(servedModel, usage)
            : _limiter.Prices.Cost(Request.Model, usage);
        var settlements = new List<CounterSettlement>(_charged.Count);
        foreach (var (rule, charge, _) in _charged)
        {
            switch (rule.Kind)
            {
                case LimitKind.TokensPerMinute:
                    settlements.Add(new CounterSettlement(charge, usage.TotalTokens));
                    break;
                case LimitKind.BudgetPerDay or LimitKind.BudgetPerMonth:
                    settlements.Add(new CounterSettlement(charge, PriceTable.ToNanoUsd(cost)));
                    break;
                case LimitKind.ConcurrentStreams:
                    settlements.Add(new CounterSettlement(charge, 0));
                    break;
            }
        }

        if (settlements.Count > 0)
        {
            await _limiter.SettleAsync(_store, ReservationId, settlements, cancellationToken).ConfigureAwait(false);
        }

        return cost;
    }
}
