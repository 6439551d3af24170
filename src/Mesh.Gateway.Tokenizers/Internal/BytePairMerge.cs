using System.Buffers;
using System.Runtime.CompilerServices;

namespace Mesh.Gateway.Tokenizers.Internal;

/// <summary>tiktoken's byte-pair merge of one piece that is not itself a token.</summary>
/// <remarks>
/// Repeatedly merges the adjacent pair with the lowest rank (the leftmost on ties), exactly as tiktoken's
/// <c>_byte_pair_merge</c>. Short pieces use stack buffers; long ones (rare: runs of letters without spaces,
/// as in CJK text) rent from the shared pool.
/// </remarks>
internal static class BytePairMerge
{
    private const int StackLimit = 128;

    /// <summary>Merges <paramref name="length"/> bytes at <paramref name="piece"/> (padded) and emits the tokens.</summary>
    public static void Encode<TSink>(RankTable table, scoped ref byte piece, int length, ref TSink sink)
        where TSink : ITokenSink, allows ref struct
    {
        int[]? rented = null;
        Span<int> buffer = length <= StackLimit
            ? stackalloc int[3 * (StackLimit + 1)]
            : (rented = ArrayPool<int>.Shared.Rent(3 * (length + 1)));
        try
        {
            Span<int> starts = buffer.Slice(0, length + 1);
            Span<int> pairs = buffer.Slice(length + 1, length + 1);
            Span<int> tokens = buffer.Slice(2 * (length + 1), length + 1);
            int parts = Merge(table, ref piece, length, starts, pairs, tokens);
            sink.AddRange(tokens[..parts]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
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
