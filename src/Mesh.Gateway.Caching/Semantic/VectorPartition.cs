using System.Numerics;

namespace Mesh.Gateway.Caching.Semantic;

/// <summary>
/// The vectors of one semantic partition (tenant, route, everything but the last user message), oldest first: a sign bit per
/// dimension for a Hamming pre-filter, and int8 codes (with a per-vector scale) for the cosine of the few best candidates.
/// </summary>
/// <remarks>
/// A flat scan: 48 bytes of bits per 384-dimension vector keep 100k vectors within 5 MB, which a core scans with POPCNT in a
/// fraction of a millisecond; the int8 codes (a quarter of float32) are read only for the candidates. Not thread-safe: the
/// index locks a partition around every use.
/// </remarks>
internal sealed class VectorPartition
{
    /// <summary>Candidates re-ranked by their int8 cosine after the Hamming pre-filter.</summary>
    internal const int Candidates = 16;

    private readonly int _dimensions;
    private readonly int _words;
    private ulong[] _bits;
    private sbyte[] _codes;
    private float[] _scales;
    private string[] _keys;
    private string[] _prompts;
    private long[] _expires;
    private long[] _sequence;
    private int _head;
    private int _tail;

    public VectorPartition(int dimensions, int capacity = 16)
    {
        _dimensions = dimensions;
        _words = (dimensions + 63) / 64;
        _bits = new ulong[capacity * _words];
        _codes = new sbyte[capacity * dimensions];
        _scales = new float[capacity];
        _keys = new string[capacity];
        _prompts = new string[capacity];
        _expires = new long[capacity];
        _sequence = new long[capacity];
    }

    public int Count => _tail - _head;

    /// <summary>The sequence number of the oldest vector (long.MaxValue when empty).</summary>
    public long OldestSequence => Count == 0 ? long.MaxValue : _sequence[_head];

    /// <summary>Bytes one vector costs (bits, codes, scale, expiry, sequence, its entry key and its prompt for the verifier).</summary>
    public static long RowBytes(int dimensions, string key, string prompt) =>
        (((dimensions + 63) / 64) * 8) + dimensions + 4 + 8 + 8 + 8 + 40 + (key.Length * 2L) + 8 + 24 + (prompt.Length * 2L);

    /// <summary>Adds a vector pointing at the entry <paramref name="key"/>; <paramref name="prompt"/> is the cached prompt (as
    /// the pair verifier reads it: at most <see cref="PairVerifier.MaxPromptChars"/> characters).</summary>
    public void Add(ReadOnlySpan<float> vector, string key, string prompt, long expiresAt, long sequence)
    {
        if (_tail == _scales.Length)
        {
            MakeRoom();
        }

        var row = _tail++;
        Quantize(vector, _bits.AsSpan(row * _words, _words), _codes.AsSpan(row * _dimensions, _dimensions), out _scales[row]);
        _keys[row] = key;
        _prompts[row] = prompt;
        _expires[row] = expiresAt;
        _sequence[row] = sequence;
    }

    /// <summary>Drops the oldest vector; returns its bytes.</summary>
    public long RemoveOldest()
    {
        var key = _keys[_head];
        var prompt = _prompts[_head];
        _keys[_head] = null!;
        _prompts[_head] = null!;
        _head++;
        return RowBytes(_dimensions, key, prompt);
    }

    /// <summary>Drops every vector; returns their bytes.</summary>
    public long Clear()
    {
        long bytes = 0;
        while (Count > 0)
        {
            bytes += RemoveOldest();
        }

        return bytes;
    }

    /// <summary>The live entry most similar to <paramref name="query"/> with its (int8) cosine and its prompt, or null when none reaches <paramref name="threshold"/>.</summary>
    public (string Key, float Similarity, string Prompt)? Search(ReadOnlySpan<float> query, float threshold, long now)
    {
        Span<SemanticCandidate> found = [default];
        return Search(query, threshold, now, found) == 0 ? null : (found[0].EntryKey, found[0].Similarity, found[0].Prompt);
    }

    /// <summary>The live entries most similar to <paramref name="query"/> that reach <paramref name="threshold"/>, closest
    /// first, at most <paramref name="found"/>'s length (and at most <see cref="Candidates"/>); returns how many.</summary>
    public int Search(ReadOnlySpan<float> query, float threshold, long now, Span<SemanticCandidate> found)
    {
        if (Count == 0 || found.IsEmpty)
        {
            return 0;
        }

        Span<ulong> queryBits = stackalloc ulong[_words];
        var queryCodes = _dimensions <= 1024 ? stackalloc sbyte[_dimensions] : new sbyte[_dimensions];
        Quantize(query, queryBits, queryCodes, out var queryScale);

        // The Candidates smallest Hamming distances, kept sorted (distance, row).
        Span<int> bestDistance = stackalloc int[Candidates];
        Span<int> bestRow = stackalloc int[Candidates];
        bestDistance.Fill(int.MaxValue);
        var worst = int.MaxValue;
        var bits = _bits;
        var words = _words;
        var q0 = queryBits[0];
        var q1 = words > 1 ? queryBits[1] : 0;
        for (var row = _head; row < _tail; row++)
        {
            // The cache's vectors have 128 dimensions (two words): no span or inner loop per row on that path.
            var at0 = row * words;
            var distance = words == 2
                ? BitOperations.PopCount(q0 ^ bits[at0]) + BitOperations.PopCount(q1 ^ bits[at0 + 1])
                : Hamming(queryBits, bits.AsSpan(at0, words));
            if (distance >= worst)
            {
                continue;
            }

            var at = Candidates - 1;
            while (at > 0 && bestDistance[at - 1] > distance)
            {
                bestDistance[at] = bestDistance[at - 1];
                bestRow[at] = bestRow[at - 1];
                at--;
            }

            bestDistance[at] = distance;
            bestRow[at] = row;
            worst = bestDistance[Candidates - 1];
        }

        var count = 0;
        for (var i = 0; i < Candidates && bestDistance[i] != int.MaxValue; i++)
        {
            var row = bestRow[i];
            if (_expires[row] <= now)
            {
                continue;
            }

            var similarity = Dot(queryCodes, _codes.AsSpan(row * _dimensions, _dimensions)) * queryScale * _scales[row];
            if (similarity < threshold || (count == found.Length && similarity <= found[count - 1].Similarity))
            {
                continue;
            }

            // Insert in order of similarity, the least similar dropped when full.
            var at = count < found.Length ? count++ : count - 1;
            while (at > 0 && found[at - 1].Similarity < similarity)
            {
                found[at] = found[at - 1];
                at--;
            }

            found[at] = new SemanticCandidate(_keys[row], similarity, _prompts[row]);
        }

        return count;
    }

    /// <summary>Sign bits and int8 codes of a (normalized) vector; <paramref name="scale"/> turns a code back into a component.</summary>
    internal static void Quantize(ReadOnlySpan<float> vector, Span<ulong> bits, Span<sbyte> codes, out float scale)
    {
        var max = 0f;
        foreach (var x in vector)
        {
            max = MathF.Max(max, MathF.Abs(x));
        }

        var factor = max > 0 ? 127f / max : 0f;
        bits.Clear();
        for (var i = 0; i < vector.Length; i++)
        {
            codes[i] = (sbyte)Math.Clamp(MathF.Round(vector[i] * factor), -127, 127);
            if (vector[i] > 0)
            {
                bits[i >> 6] |= 1UL << (i & 63);
            }
        }

        scale = factor > 0 ? 1f / factor : 0f;
    }

    private static int Hamming(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        var distance = 0;
        for (var i = 0; i < a.Length; i++)
        {
            distance += BitOperations.PopCount(a[i] ^ b[i]);
        }

        return distance;
    }

    private static int Dot(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        var sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    // Full at the end: slide the live rows down when at least half the array is evicted space, else double it.
    private void MakeRoom()
    {
        var count = Count;
        var capacity = _head >= _scales.Length / 2 ? _scales.Length : _scales.Length * 2;
        var bits = capacity == _scales.Length ? _bits : new ulong[capacity * _words];
        var codes = capacity == _scales.Length ? _codes : new sbyte[capacity * _dimensions];
        var scales = capacity == _scales.Length ? _scales : new float[capacity];
        var keys = capacity == _scales.Length ? _keys : new string[capacity];
        var prompts = capacity == _scales.Length ? _prompts : new string[capacity];
        var expires = capacity == _scales.Length ? _expires : new long[capacity];
        var sequence = capacity == _scales.Length ? _sequence : new long[capacity];
        Array.Copy(_bits, _head * _words, bits, 0, count * _words);
        Array.Copy(_codes, _head * _dimensions, codes, 0, count * _dimensions);
        Array.Copy(_scales, _head, scales, 0, count);
        Array.Copy(_keys, _head, keys, 0, count);
        Array.Copy(_prompts, _head, prompts, 0, count);
        Array.Copy(_expires, _head, expires, 0, count);
        Array.Copy(_sequence, _head, sequence, 0, count);
        Array.Clear(keys, count, capacity - count);
        Array.Clear(prompts, count, capacity - count);
        (_bits, _codes, _scales, _keys, _prompts, _expires, _sequence) = (bits, codes, scales, keys, prompts, expires, sequence);
        _head = 0;
        _tail = count;
    }
}
