using System.Buffers.Binary;
using System.Numerics.Tensors;

namespace Mesh.Gateway.Caching.Semantic;

/// <summary>
/// The semantic cache's learned layer: a linear map from the encoder's vector (all-MiniLM-L6-v2, 384 dimensions) to a
/// shorter one, trained contrastively so that two questions with the same intent land close and two with different intents
/// apart; its output is normalized, so a dot product is the cosine the route's <c>semantic_threshold</c> compares.
/// </summary>
/// <remarks>
/// The weights (<c>cache-projection.bin</c>, embedded) are written by
/// <c>dotnet run -c Release --project tests/Benchmarks/CacheQuality -- train</c>, deterministic from banking77's training
/// split (docs/cache-quality.md). The call's raw vector stays in <c>PromptEmbedding</c> for other policies; only the cache
/// projects it. Format: "MCP1", input and output dimensions (int32, little-endian), then the output-by-input weights
/// row by row (float32, little-endian).
/// </remarks>
internal sealed class CacheProjection
{
    private static readonly Lazy<CacheProjection> ShippedLazy = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly float[] _weights;

    internal CacheProjection(int inputs, int outputs, float[] weights)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(weights.Length, inputs * outputs);
        Inputs = inputs;
        Outputs = outputs;
        _weights = weights;
    }

    /// <summary>The projection shipped with this assembly (loaded once).</summary>
    internal static CacheProjection Shipped => ShippedLazy.Value;

    internal int Inputs { get; }

    internal int Outputs { get; }

    /// <summary>The normalized projection of <paramref name="vector"/>.</summary>
    internal float[] Project(ReadOnlySpan<float> vector)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(vector.Length, Inputs);
        var output = new float[Outputs];
        for (var o = 0; o < Outputs; o++)
        {
            output[o] = TensorPrimitives.Dot(_weights.AsSpan(o * Inputs, Inputs), vector);
        }

        var norm = TensorPrimitives.Norm(output);
        if (norm > 0)
        {
            TensorPrimitives.Divide(output, norm, output);
        }

        return output;
    }

    internal static CacheProjection Read(Stream stream)
    {
        using var reader = new BinaryReader(stream);
        if (reader.ReadUInt32() != Magic)
        {
            throw new FormatException("Not a cache projection (expected MCP1).");
        }

        var inputs = reader.ReadInt32();
        var outputs = reader.ReadInt32();
        var bytes = reader.ReadBytes(inputs * outputs * 4);
        if (bytes.Length != inputs * outputs * 4)
        {
            throw new FormatException("The cache projection is cut short.");
        }

        var weights = new float[inputs * outputs];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4, 4));
        }

        return new CacheProjection(inputs, outputs, weights);
    }

    internal static void Write(Stream stream, int inputs, int outputs, ReadOnlySpan<float> weights)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(four, Magic);
        stream.Write(four);
        BinaryPrimitives.WriteInt32LittleEndian(four, inputs);
        stream.Write(four);
        BinaryPrimitives.WriteInt32LittleEndian(four, outputs);
        stream.Write(four);
        foreach (var w in weights)
        {
            BinaryPrimitives.WriteSingleLittleEndian(four, w);
            stream.Write(four);
        }
    }

    // "MCP1" read as a little-endian uint32.
    private const uint Magic = 0x3150434D;

    private static CacheProjection LoadShipped()
    {
        using var stream = typeof(CacheProjection).Assembly.GetManifestResourceStream("Mesh.Gateway.Caching.Semantic.cache-projection.bin")
            ?? throw new InvalidOperationException("cache-projection.bin is not embedded in " + typeof(CacheProjection).Assembly.GetName().Name);
        return Read(stream);
    }
}
