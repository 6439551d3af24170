using System.Buffers;

namespace Mesh.Gateway.Guardrails.Internal.Prefilter;

/// <summary>The hits of one scan, in text order, in a pooled buffer that is rented only when the first hit is found.</summary>
/// <remarks>Not thread-safe; dispose to return the buffer.</remarks>
internal struct TriggerHits : IDisposable
{
    private TriggerHit[]? _items;
    private int _count;

    /// <summary>Bit k is set when tier k has at least one hit (tiers 0..63).</summary>
    internal ulong Tiers { get; private set; }

    /// <summary>True when the scan fell back to "every tier over the whole text" (see <see cref="TriggerScanner.Collect"/>).</summary>
    internal bool Everything { get; set; }

    internal readonly int Count => _count;

    internal readonly ReadOnlySpan<TriggerHit> Items => _items is null ? [] : _items.AsSpan(0, _count);

    internal void Add(TriggerHit hit, int tier)
    {
        if (_items is null)
        {
            _items = ArrayPool<TriggerHit>.Shared.Rent(64);
        }
        else if (_count == _items.Length)
        {
            var bigger = ArrayPool<TriggerHit>.Shared.Rent(_items.Length * 2);
            _items.AsSpan(0, _count).CopyTo(bigger);
            ArrayPool<TriggerHit>.Shared.Return(_items);
            _items = bigger;
        }

        _items[_count++] = hit;
        Tiers |= 1UL << tier;
    }

    /// <summary>Whether <paramref name="tier"/>'s regex has to run: it has a hit, or everything runs.</summary>
    internal readonly bool Has(int tier) => Everything || HasHit(tier);

    /// <summary>Whether a trigger word of <paramref name="tier"/> occurs (regardless of <see cref="Everything"/>).</summary>
    internal readonly bool HasHit(int tier) => (Tiers & (1UL << tier)) != 0;

    public void Dispose()
    {
        if (_items is not null)
        {
            ArrayPool<TriggerHit>.Shared.Return(_items);
            _items = null;
        }

        _count = 0;
        Tiers = 0;
    }
}
