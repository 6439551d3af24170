using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Embeddings.Internal;

namespace Mesh.Gateway.Embeddings;

/// <summary>all-MiniLM-L6-v2 (384 dimensions, English) run by ONNX Runtime from the model embedded in its package.</summary>
/// <remarks>
/// The model (about 90 MB) loads on the first <see cref="Encode"/>, never at start, so a sidecar that configures no
/// policy needing it pays nothing; with <c>precision: int8</c> (the default) its weight matrices are quantized as it loads.
/// The model sees at most 256 word pieces; a longer text is cut into overlapping windows of <see cref="WindowPieces"/> word
/// pieces, each encoded, and the mean of their vectors (normalized again) stands for the whole text. Past
/// <see cref="SentenceEncoderOptions.MaxWindows"/> windows, that many spread over the text are read and the rest skipped.
/// </remarks>
internal sealed class MiniLmTextEncoder : ITextEncoder, IDisposable
{
    /// <summary>Word pieces per window: the model's 256 less [CLS] and [SEP].</summary>
    internal const int WindowPieces = 254;

    /// <summary>Word pieces a window shares with the one before it.</summary>
    internal const int OverlapPieces = 32;

    private readonly Lazy<MiniLmSession> _session;
    private readonly int _maxWindows;

    public MiniLmTextEncoder()
        : this(new SentenceEncoderOptions())
    {
    }

    public MiniLmTextEncoder(SentenceEncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var int8 = options.Precision != "fp32";
        _session = new(() => new MiniLmSession(int8), LazyThreadSafetyMode.ExecutionAndPublication);
        _maxWindows = Math.Max(1, options.MaxWindows);
        ModelName = int8 ? "all-MiniLM-L6-v2-int8" : "all-MiniLM-L6-v2";
    }

    public int Dimensions => MiniLmSession.Dimensions;

    public string ModelName { get; }

    public float[] Encode(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var session = _session.Value;
        var ids = session.Tokenize(text);
        var windows = Windows(ids.Length, _maxWindows);
        var vectors = session.Encode([.. windows.Select(w => new ArraySegment<int>(ids, w.Start, w.Length))], cancellationToken);
        if (vectors.Length == 1)
        {
            return vectors[0];
        }

        var mean = new float[Dimensions];
        foreach (var vector in vectors)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(mean, vector, mean);
        }

        return MiniLmSession.Normalize(mean);
    }

    public float[][] EncodeMany(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            return [];
        }

        // Texts of one window each (the pair verifier's words) are tokenized once; a longer one is windowed.
        var session = _session.Value;
        var ids = texts.Select(session.Tokenize).ToArray();
        if (ids.Any(static i => i.Length > WindowPieces))
        {
            return [.. texts.Select(t => Encode(t, cancellationToken))];
        }

        return session.Encode([.. ids.Select(static i => new ArraySegment<int>(i))], cancellationToken);
    }

    /// <summary>How many windows <paramref name="text"/> is read in (loads the model's tokenizer).</summary>
    internal int WindowCount(string text) => Windows(_session.Value.Tokenize(text).Length, _maxWindows).Count;

    public void Dispose()
    {
        if (_session.IsValueCreated)
        {
            _session.Value.Dispose();
        }
    }

    /// <summary>
    /// The windows (start, length) over <paramref name="pieces"/> word pieces: the whole when it fits, else windows of
    /// <see cref="WindowPieces"/> every <see cref="WindowPieces"/> - <see cref="OverlapPieces"/>, the last one ending at
    /// the text's end (so every window is full and none is padded). Past <paramref name="maxWindows"/>, the first, the last
    /// and evenly spaced ones between.
    /// </summary>
    internal static IReadOnlyList<(int Start, int Length)> Windows(int pieces, int maxWindows)
    {
        if (pieces <= WindowPieces)
        {
            return [(0, pieces)];
        }

        const int stride = WindowPieces - OverlapPieces;
        var starts = new List<int>();
        for (var start = 0; start + WindowPieces < pieces; start += stride)
        {
            starts.Add(start);
        }

        starts.Add(pieces - WindowPieces);
        if (starts.Count > maxWindows)
        {
            starts = maxWindows == 1
                ? [0]
                : [.. Enumerable.Range(0, maxWindows).Select(i => starts[(int)Math.Round(i * (starts.Count - 1) / (double)(maxWindows - 1))])];
        }

        return [.. starts.Select(static s => (s, WindowPieces))];
    }
}
