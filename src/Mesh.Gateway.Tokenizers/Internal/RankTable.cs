using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mesh.Gateway.Tokenizers.Internal;

/// <summary>The mergeable ranks of one encoding: token bytes by rank, and an open-addressing table from bytes to rank.</summary>
/// <remarks>
/// Immutable after construction, so any number of threads may read it. Keys are looked up by a hash of their bytes;
/// a slot keeps the first eight bytes and the length, so keys of up to eight bytes (most lookups) compare without
/// touching the token store.
/// </remarks>
internal sealed class RankTable
{
    /// <summary>Bytes readable past the end of any key passed to <see cref="TryGetRank(ref byte, int, out int)"/>.</summary>
    public const int Padding = 8;

    private const ulong Multiplier = 0x9E3779B97F4A7C15UL;

    private readonly Slot[] _slots;
    private readonly int _shift;
    private readonly byte[] _bytes;
    private readonly int[] _offsets;
    private readonly int[] _byteRanks = new int[256];

    // Ranks of all two-byte keys, indexed by (first << 8 | second); -1 when not a token. 256 KiB, so the first
    // round of every merge (all adjacent byte pairs) is an array read instead of a hash probe.
    private readonly int[] _pairRanks = new int[65536];

    public RankTable(byte[] tokenBytes, int[] offsets)
    {
        _bytes = tokenBytes;
        _offsets = offsets;
        int count = offsets.Length - 1;
        if (count >= 1 << 23)
        {
            throw new InvalidDataException($"{count} tokens: a rank table holds at most 2^23.");
        }

        int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)(count * 2 + 1));
        _shift = 64 - BitOperations.Log2((uint)capacity);
        _slots = new Slot[capacity];
        _byteRanks.AsSpan().Fill(-1);
        _pairRanks.AsSpan().Fill(-1);

        // Padded copy of each key so the hashing can read eight bytes at a time.
        Span<byte> key = stackalloc byte[256 + Padding];
        for (int rank = 0; rank < count; rank++)
        {
            int start = offsets[rank];
            int length = offsets[rank + 1] - start;
            if (length == 0 || length > 256)
            {
                throw new InvalidDataException($"Token {rank} has {length} bytes.");
            }

            key.Clear();
            tokenBytes.AsSpan(start, length).CopyTo(key);
            if (length == 1)
            {
                _byteRanks[key[0]] = rank;
            }
            else if (length == 2)
            {
                _pairRanks[(key[0] << 8) | key[1]] = rank;
            }

            ulong hash = Hash(ref key[0], length, out ulong prefix);
            int i = (int)(hash >> _shift);
            while (_slots[i].Length != 0)
            {
                i = (i + 1) & (capacity - 1);
            }

            _slots[i] = new Slot(prefix, rank, length);
        }

        for (int b = 0; b < 256; b++)
        {
            if (_byteRanks[b] < 0)
            {
                throw new InvalidDataException($"Byte {b} has no token.");
            }
        }
    }

    /// <summary>Number of mergeable tokens.</summary>
    public int Count => _offsets.Length - 1;

    /// <summary>The rank of a single byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ByteRank(byte b) => _byteRanks[b];

    /// <summary>The bytes of the token with this rank.</summary>
    public ReadOnlySpan<byte> TokenBytes(int rank) => _bytes.AsSpan(_offsets[rank], _offsets[rank + 1] - _offsets[rank]);

    /// <summary>Whether the rank names a mergeable token.</summary>
    public bool Contains(int rank) => (uint)rank < (uint)Count;

    /// <summary>Looks up a key whose buffer is readable for <see cref="Padding"/> bytes past its end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetRank(ref byte key, int length, out int rank)
    {
        if (length == 2)
        {
            rank = _pairRanks[(key << 8) | Unsafe.Add(ref key, 1)];
            return rank >= 0;
        }

        ulong hash = Hash(ref key, length, out ulong prefix);
        Slot[] slots = _slots;
        int mask = slots.Length - 1;
        int i = (int)(hash >> _shift);
        while (true)
        {
            ref Slot slot = ref slots[i];
            if (slot.Length == length && slot.Prefix == prefix)
            {
                if (length <= 8 || TailEquals(ref key, length, slot.Rank))
                {
                    rank = slot.Rank;
                    return true;
                }
            }
            else if (slot.Length == 0)
            {
                rank = -1;
                return false;
            }

            i = (i + 1) & mask;
        }
    }

    /// <summary>Looks up any key (copies it into a padded buffer when needed).</summary>
    public bool TryGetRank(ReadOnlySpan<byte> key, out int rank)
    {
        if (key.Length == 0 || key.Length > 256)
        {
            rank = -1;
            return false;
        }

        Span<byte> padded = stackalloc byte[256 + Padding];
        key.CopyTo(padded);
        padded[key.Length..].Clear();
        return TryGetRank(ref padded[0], key.Length, out rank);
    }

    private bool TailEquals(ref byte key, int length, int rank) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref key, 8), length - 8)
            .SequenceEqual(_bytes.AsSpan(_offsets[rank] + 8, length - 8));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(ref byte key, int length, out ulong prefix)
    {
        ulong first = Unsafe.ReadUnaligned<ulong>(ref key);
        if (!BitConverter.IsLittleEndian)
        {
            first = BinaryPrimitives.ReverseEndianness(first);
        }

        if (length < 8)
        {
            first &= (1UL << (length * 8)) - 1;
        }

        prefix = first;
        ulong h = (first ^ (ulong)length) * Multiplier;
        for (int i = 8; i < length; i += 8)
        {
            ulong chunk = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref key, i));
            int remaining = length - i;
            if (remaining < 8)
            {
                chunk &= BitConverter.IsLittleEndian ? (1UL << (remaining * 8)) - 1 : ~((1UL << ((8 - remaining) * 8)) - 1);
            }

            h = (BitOperations.RotateLeft(h, 29) ^ chunk) * Multiplier;
        }

        return h ^ (h >> 32);
    }

    // 12 bytes, not 16: the rank (under 2^23) and the length (1 to 256) share one int, which is 0 in an empty slot. For
    // o200k_base's 2^19 slots that is 6 MB instead of 8 (issue 22: the table is most of the sidecar's live heap).
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly struct Slot(ulong prefix, int rank, int length)
    {
        public readonly ulong Prefix = prefix;
        private readonly int _rankAndLength = (rank << 9) | length;

        public int Rank => _rankAndLength >>> 9;

        public int Length => _rankAndLength & 0x1FF;
    }
}
