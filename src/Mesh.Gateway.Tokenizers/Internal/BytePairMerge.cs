using System.Buffers;
using System.Runtime.CompilerServices;

namespace Mesh.Gateway.Tokenizers.Internal;

/// <summary>tiktoken's byte-pair merge of one piece that is not itself a token.</summary>
/// <remarks>
/// Repeatedly merges the adjacent pair with the lowest rank (the leftmost on ties), exactly as tiktoken's
/// <c>_byte_pair_merge</c>. Short pieces scan for the lowest pair as tiktoken does; long ones (runs of letters without spaces, as in
/// CJK text) use a heap, and past a size rent their buffers from the shared pool.
/// </remarks>
internal static class BytePairMerge
{
    private const int StackLimit = 128;

    // From this length on, a heap finds the lowest-ranked pair instead of a scan over all pairs per merge.
    private const int HeapThreshold = 12;

    /// <summary>Merges <paramref name="length"/> bytes at <paramref name="piece"/> (padded) and emits the tokens.</summary>
    public static void Encode<TSink>(RankTable table, scoped ref byte piece, int length, ref TSink sink)
        where TSink : ITokenSink, allows ref struct
    {
        if (length >= HeapThreshold)
        {
            EncodeWithHeap(table, ref piece, length, ref sink);
            return;
        }

        EncodeWithScan(table, ref piece, length, ref sink);
    }

    /// <summary>Merges with both strategies, whatever the length (for tests that hold them to each other).</summary>
    internal static (int[] Scan, int[] Heap) MergeBothWays(RankTable table, ReadOnlySpan<byte> piece)
    {
        byte[] padded = new byte[piece.Length + RankTable.Padding];
        piece.CopyTo(padded);
        var scan = new List<int>();
        var heap = new List<int>();
        var scanSink = new ListSink(scan);
        var heapSink = new ListSink(heap);
        if (piece.Length <= StackLimit)
        {
            EncodeWithScan(table, ref padded[0], piece.Length, ref scanSink);
        }

        EncodeWithHeap(table, ref padded[0], piece.Length, ref heapSink);
        return ([.. scan], [.. heap]);
    }

    private static void EncodeWithScan<TSink>(RankTable table, scoped ref byte piece, int length, ref TSink sink)
        where TSink : ITokenSink, allows ref struct
    {
        Span<int> buffer = stackalloc int[3 * (StackLimit + 1)];
        Span<int> starts = buffer.Slice(0, length + 1);
        Span<int> pairs = buffer.Slice(length + 1, length + 1);
        Span<int> tokens = buffer.Slice(2 * (length + 1), length + 1);
        int parts = Merge(table, ref piece, length, starts, pairs, tokens);
        sink.AddRange(tokens[..parts]);
    }

    // The same merge order for long pieces: parts form a linked list, and a binary min-heap keyed by (rank, start)
    // yields the lowest-ranked, leftmost pair; entries whose pair has since changed are skipped when popped.
    // A pair's bytes only grow, and distinct byte strings have distinct ranks, so a stale entry never matches.
    private static void EncodeWithHeap<TSink>(RankTable table, scoped ref byte piece, int length, ref TSink sink)
        where TSink : ITokenSink, allows ref struct
    {
        // next, prev, pairRank, token: one int each per byte; heap: up to 3 entries per byte.
        int ints = 4 * length;
        int heapCapacity = 3 * length;
        int[]? rentedInts = null;
        long[]? rentedHeap = null;
        Span<int> buffer = length <= StackLimit
            ? stackalloc int[4 * StackLimit]
            : (rentedInts = ArrayPool<int>.Shared.Rent(ints));
        Span<long> heap = length <= StackLimit
            ? stackalloc long[3 * StackLimit]
            : (rentedHeap = ArrayPool<long>.Shared.Rent(heapCapacity));
        try
        {
            Span<int> next = buffer.Slice(0, length);
            Span<int> prev = buffer.Slice(length, length);
            Span<int> pair = buffer.Slice(2 * length, length);
            Span<int> token = buffer.Slice(3 * length, length);
            int count = 0;
            for (int i = 0; i < length; i++)
            {
                next[i] = i + 1;
                prev[i] = i - 1;
                token[i] = table.ByteRank(Unsafe.Add(ref piece, i));
            }

            for (int i = 0; i < length - 1; i++)
            {
                pair[i] = Rank(table, ref piece, i, 2);
                if (pair[i] != int.MaxValue)
                {
                    Push(heap, ref count, pair[i], i);
                }
            }

            pair[length - 1] = int.MaxValue;
            int parts = length;
            while (count > 0)
            {
                long top = Pop(heap, ref count);
                int rank = (int)(top >> 32);
                int i = (int)top;
                if (pair[i] != rank)
                {
                    continue; // stale: part i died or its pair changed
                }

                // Part i absorbs its right neighbour j.
                int j = next[i];
                int after = next[j];
                token[i] = rank;
                next[i] = after;
                if (after < length)
                {
                    prev[after] = i;
                }

                pair[j] = int.MaxValue;
                parts--;

                int before = prev[i];
                if (before >= 0)
                {
                    pair[before] = Rank(table, ref piece, before, after - before);
                    if (pair[before] != int.MaxValue)
                    {
                        Push(heap, ref count, pair[before], before);
                    }
                }

                if (after < length)
                {
                    pair[i] = Rank(table, ref piece, i, next[after] - i);
                    if (pair[i] != int.MaxValue)
                    {
                        Push(heap, ref count, pair[i], i);
                    }
                }
                else
                {
                    pair[i] = int.MaxValue;
                }
            }

            Span<int> output = pair; // reuse: pair ranks are no longer needed
            int n = 0;
            for (int i = 0; i < length; i = next[i])
            {
                output[n++] = token[i];
            }

            sink.AddRange(output[..n]);
        }
        finally
        {
            if (rentedInts is not null)
            {
                ArrayPool<int>.Shared.Return(rentedInts);
            }

            if (rentedHeap is not null)
            {
                ArrayPool<long>.Shared.Return(rentedHeap);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Push(Span<long> heap, ref int count, int rank, int start)
    {
        long item = ((long)rank << 32) | (uint)start;
        int i = count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (heap[parent] <= item)
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = item;
    }

    private static long Pop(Span<long> heap, ref int count)
    {
        long top = heap[0];
        long last = heap[--count];
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && heap[child + 1] < heap[child])
            {
                child++;
            }

            if (heap[child] >= last)
            {
                break;
            }

            heap[i] = heap[child];
            i = child;
        }

        if (count > 0)
        {
            heap[i] = last;
        }

        return top;
    }

    private static int Merge(RankTable table, ref byte piece, int length, Span<int> starts, Span<int> pairs, Span<int> tokens)
    {
        for (int i = 0; i < length; i++)
        {
            starts[i] = i;
            tokens[i] = table.ByteRank(Unsafe.Add(ref piece, i));
        }

        starts[length] = length;
        for (int i = 0; i < length - 1; i++)
        {
            pairs[i] = Rank(table, ref piece, i, 2);
        }

        pairs[length - 1] = int.MaxValue;

        int parts = length;
        while (parts > 1)
        {
            int min = int.MaxValue;
            int at = -1;
            for (int i = 0; i < parts - 1; i++)
            {
                if (pairs[i] < min)
                {
                    min = pairs[i];
                    at = i;
                }
            }

            if (at < 0)
            {
                break;
            }

            // Part `at` absorbs part `at + 1`.
            tokens[at] = min;
            starts[(at + 2)..(parts + 1)].CopyTo(starts[(at + 1)..]);
            tokens[(at + 2)..parts].CopyTo(tokens[(at + 1)..]);
            pairs[(at + 2)..parts].CopyTo(pairs[(at + 1)..]);
            parts--;

            if (at > 0)
            {
                pairs[at - 1] = Rank(table, ref piece, starts[at - 1], starts[at + 1] - starts[at - 1]);
            }

            pairs[at] = at + 1 < parts ? Rank(table, ref piece, starts[at], starts[at + 2] - starts[at]) : int.MaxValue;
        }

        return parts;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Rank(RankTable table, ref byte piece, int start, int length) =>
        table.TryGetRank(ref Unsafe.Add(ref piece, start), length, out int rank) ? rank : int.MaxValue;
}
