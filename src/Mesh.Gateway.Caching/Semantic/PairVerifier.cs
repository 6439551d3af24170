using System.Buffers.Binary;
using System.Numerics.Tensors;

namespace Mesh.Gateway.Caching.Semantic;

/// <summary>
/// The semantic cache's second stage: given a new prompt and the cached prompt the index found closest above the route's
/// threshold, a logistic regression over features of the pair decides whether the cached answer may serve. Its features are
/// the (projected) cosine, the word overlap, and the words that differ: how many on each side and the local encoder's vectors
/// of the words only in one prompt against those only in the other (through the cache's learned layer), so that "open a joint
/// account" and "close a joint account", whose sentence vectors nearly coincide, can still be told apart.
/// </summary>
/// <remarks>
/// The weights (<c>cache-verifier.bin</c>, embedded) are written by
/// <c>dotnet run -c Release --project tests/Benchmarks/CacheQuality -- train-verifier</c>, deterministic from pairs of
/// banking77's training split (docs/cache-quality.md). Format: "MCV1", the word vectors' length, the feature count (int32),
/// the acceptance probability, the bias, then the weights (float32, all little-endian). Immutable and thread-safe.
/// </remarks>
internal sealed class PairVerifier
{
    /// <summary>Differing words read on each side; a pair that differs in more is described by its counts.</summary>
    internal const int MaxDifferingWords = 8;

    /// <summary>Characters of a prompt the verifier reads (and the index keeps beside a vector).</summary>
    internal const int MaxPromptChars = 1024;

    /// <summary>Features before the word vectors' two blocks.</summary>
    private const int Scalars = 7;

    // "MCV1" read as a little-endian uint32.
    private const uint Magic = 0x3156434D;

    private static readonly Lazy<PairVerifier> ShippedLazy = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly float[] _weights;
    private readonly float _bias;

    internal PairVerifier(int wordDimensions, float[] weights, float bias, float accept)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(weights.Length, FeatureCount(wordDimensions));
        WordDimensions = wordDimensions;
        _weights = weights;
        _bias = bias;
        Accept = accept;
    }

    /// <summary>The verifier shipped with this assembly (loaded once).</summary>
    internal static PairVerifier Shipped => ShippedLazy.Value;

    /// <summary>The length of the word vectors it reads (the learned layer's output).</summary>
    internal int WordDimensions { get; }

    /// <summary>The probability at or above which a pair is accepted.</summary>
    internal float Accept { get; }

    internal static int FeatureCount(int wordDimensions) => Scalars + (2 * wordDimensions);

    /// <summary>The probability that <paramref name="features"/> (from <see cref="Describe"/>) describe a pair one answer serves.</summary>
    internal float Probability(ReadOnlySpan<float> features)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(features.Length, _weights.Length);
        var z = TensorPrimitives.Dot(_weights, features) + _bias;
        return 1f / (1f + MathF.Exp(-z));
    }

    /// <summary>Writes the features of a pair into <paramref name="features"/> (<see cref="FeatureCount"/> long).</summary>
    /// <param name="prompt">The new prompt.</param>
    /// <param name="cached">The cached prompt.</param>
    /// <param name="similarity">Their cosine in the index (the learned layer's output).</param>
    /// <param name="wordVector">A word's normalized vector (the local encoder's, through the learned layer).</param>
    /// <param name="features">Where to write.</param>
    internal static void Describe(string prompt, string cached, float similarity, Func<string, float[]> wordVector, Span<float> features)
    {
        var a = Words(prompt);
        var b = Words(cached);
        var (onlyA, onlyB) = Differing(a, b);
        var countA = a.Count(w => !b.Contains(w));
        var countB = b.Count(w => !a.Contains(w));
        var union = a.Count + countB;
        var dimensions = (features.Length - Scalars) / 2;
        features.Clear();
        features[0] = similarity;
        features[1] = union == 0 ? 1f : (a.Count - countA) / (float)union;
        features[2] = Math.Min(Math.Min(countA, countB), MaxDifferingWords) / (float)MaxDifferingWords;
        features[3] = Math.Min(Math.Max(countA, countB), MaxDifferingWords) / (float)MaxDifferingWords;
        features[4] = countA == 0 && countB == 0 ? 1f : 0f;
        features[5] = (countA == 0) != (countB == 0) ? 1f : 0f;
        if (onlyA.Count == 0 || onlyB.Count == 0)
        {
            return;
        }

        Span<float> va = dimensions <= 512 ? stackalloc float[dimensions] : new float[dimensions];
        Span<float> vb = dimensions <= 512 ? stackalloc float[dimensions] : new float[dimensions];
        Mean(onlyA, wordVector, va);
        Mean(onlyB, wordVector, vb);
        features[6] = TensorPrimitives.Dot(va, vb);
        var difference = features.Slice(Scalars, dimensions);
        TensorPrimitives.Subtract(va, vb, difference);
        TensorPrimitives.Abs(difference, difference);
        TensorPrimitives.Multiply(va, vb, features.Slice(Scalars + dimensions, dimensions));
    }

    /// <summary>The words whose vectors <see cref="Describe"/> reads for this pair (none when one side has no word of its own).</summary>
    internal static IEnumerable<string> DifferingWords(string prompt, string cached)
    {
        var (onlyA, onlyB) = Differing(Words(prompt), Words(cached));
        return onlyA.Count == 0 || onlyB.Count == 0 ? [] : onlyA.Concat(onlyB);
    }

    private static (List<string> OnlyA, List<string> OnlyB) Differing(List<string> a, List<string> b) =>
        ([.. a.Where(w => !b.Contains(w)).Take(MaxDifferingWords)], [.. b.Where(w => !a.Contains(w)).Take(MaxDifferingWords)]);

    /// <summary>The distinct lower-cased words of the first <see cref="MaxPromptChars"/> characters, in order.</summary>
    internal static List<string> Words(string text)
    {
        var words = new List<string>();
        var span = text.AsSpan(0, Math.Min(text.Length, MaxPromptChars));
        var start = -1;
        for (var i = 0; i <= span.Length; i++)
        {
            var inWord = i < span.Length && (char.IsLetterOrDigit(span[i]) || (span[i] == '\'' && start >= 0));
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                var word = span[start..i].TrimEnd('\'').ToString().ToLowerInvariant();
                if (word.Length > 0 && !words.Contains(word))
                {
                    words.Add(word);
                }

                start = -1;
            }
        }

        return words;
    }

    internal static PairVerifier Read(Stream stream)
    {
        using var reader = new BinaryReader(stream);
        if (reader.ReadUInt32() != Magic)
        {
            throw new FormatException("Not a cache verifier (expected MCV1).");
        }

        var dimensions = reader.ReadInt32();
        var count = reader.ReadInt32();
        if (count != FeatureCount(dimensions))
        {
            throw new FormatException("The cache verifier's feature count does not match its word vectors.");
        }

        var accept = reader.ReadSingle();
        var bias = reader.ReadSingle();
        var bytes = reader.ReadBytes(count * 4);
        if (bytes.Length != count * 4)
        {
            throw new FormatException("The cache verifier is cut short.");
        }

        var weights = new float[count];
        for (var i = 0; i < count; i++)
        {
            weights[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4, 4));
        }

        return new PairVerifier(dimensions, weights, bias, accept);
    }

    internal void Write(Stream stream)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(four, Magic);
        stream.Write(four);
        BinaryPrimitives.WriteInt32LittleEndian(four, WordDimensions);
        stream.Write(four);
        BinaryPrimitives.WriteInt32LittleEndian(four, _weights.Length);
        stream.Write(four);
        BinaryPrimitives.WriteSingleLittleEndian(four, Accept);
        stream.Write(four);
        BinaryPrimitives.WriteSingleLittleEndian(four, _bias);
        stream.Write(four);
        foreach (var w in _weights)
        {
            BinaryPrimitives.WriteSingleLittleEndian(four, w);
            stream.Write(four);
        }
    }

    private static void Mean(List<string> words, Func<string, float[]> wordVector, Span<float> into)
    {
        into.Clear();
        foreach (var word in words)
        {
            TensorPrimitives.Add(into, wordVector(word), into);
        }

        var norm = TensorPrimitives.Norm(into);
        if (norm > 0)
        {
            TensorPrimitives.Divide(into, norm, into);
        }
    }

    private static PairVerifier LoadShipped()
    {
        using var stream = typeof(PairVerifier).Assembly.GetManifestResourceStream("Mesh.Gateway.Caching.Semantic.cache-verifier.bin")
            ?? throw new InvalidOperationException("cache-verifier.bin is not embedded in " + typeof(PairVerifier).Assembly.GetName().Name);
        return Read(stream);
    }
}
