using System.Buffers;

namespace Mesh.Gateway.Guardrails.Internal.Prefilter;

/// <summary>Merged, ordered text windows [Start, End) of one tier, in a pooled buffer; dispose to return it.</summary>
internal struct TriggerWindows : IDisposable
{
    private (int Start, int End)[]? _items;
    private int _count;

    internal readonly ReadOnlySpan<(int Start, int End)> Items => _items is null ? [] : _items.AsSpan(0, _count);

    /// <summary>Adds a window, merging it with every earlier window it overlaps or touches.</summary>
    internal void Push(int start, int end)
    {
        while (_count > 0 && _items![_count - 1].End >= start)
        {
            var top = _items[--_count];
            start = Math.Min(start, top.Start);
            end = Math.Max(end, top.End);
        }

        if (_items is null)
        {
            _items = ArrayPool<(int, int)>.Shared.Rent(16);
        }
        else if (_count == _items.Length)
        {
            var bigger = ArrayPool<(int, int)>.Shared.Rent(_items.Length * 2);
            _items.AsSpan(0, _count).CopyTo(bigger);
            ArrayPool<(int, int)>.Shared.Return(_items);
            _items = bigger;
        }

        _items[_count++] = (start, end);
    }

    public void Dispose()
    {
        if (_items is not null)
        {
            ArrayPool<(int, int)>.Shared.Return(_items);
            _items = null;
        }

        _count = 0;
    }
}
