using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Mesh.Gateway.Embeddings.Internal.Onnx;

/// <summary>
/// Rewrites an fp32 ONNX model's weight matrix products to 8-bit: each <c>MatMul</c> whose second input is a constant 2-D fp32
/// initializer becomes ONNX Runtime's contrib op <c>com.microsoft.DynamicQuantizeMatMul</c>, with the weights quantized
/// per output column (symmetric int8, one fp32 scale per column) and the activations quantized per call by the op.
/// </summary>
/// <remarks>
/// What <c>onnxruntime.quantization.quantize_dynamic</c> (Python) does for MatMul, done in process at load time so the model
/// still comes from its package. The weights use 7 bits (±63): ONNX Runtime's u8×s8 kernel on AVX2 without VNNI adds two
/// u8×s8 products in 16 bits (<c>vpmaddubsw</c>), which saturates with full-range weights (255 × 127 × 2 &gt; 32767); the
/// Python quantizer's <c>reduce_range</c> is the same remedy.
/// </remarks>
internal static class Int8MatMulRewriter
{
    internal const string MicrosoftDomain = "com.microsoft";

    private const int Float = 1;
    private const int Int8 = 3;

    /// <summary>Largest quantized weight magnitude (7 bits, see remarks).</summary>
    internal const int WeightMax = 63;

    /// <summary>The rewritten model, and how many MatMul nodes were rewritten.</summary>
    public static (byte[] Model, int Rewritten) Rewrite(Stream model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph;
        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            initializers[tensor.Name] = tensor;
        }

        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input)
            {
                uses[input] = uses.GetValueOrDefault(input) + 1;
            }
        }

        var targets = graph.Node.Where(n => n.OpType == "MatMul" && n.Domain.Length == 0 && n.Input.Count == 2
            && n.Input[0] != n.Input[1] && initializers.TryGetValue(n.Input[1], out var w) && w.DataType == Float && w.Dims.Count == 2).ToList();
        var added = new List<TensorProto>();
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in targets.GroupBy(static n => n.Input[1], StringComparer.Ordinal))
        {
            var name = group.Key;
            added.AddRange(Quantize(initializers[name]));

            // The fp32 weights go when nothing else reads them.
            if (uses[name] == group.Count())
            {
                dropped.Add(name);
            }

            foreach (var node in group)
            {
                node.OpType = "DynamicQuantizeMatMul";
                node.Domain = MicrosoftDomain;
                node.Input[1] = name + "_quantized";
                node.Input.Add(name + "_scale");
                node.Input.Add(name + "_zero_point");
            }
        }

        for (var i = graph.Initializer.Count - 1; i >= 0; i--)
        {
            if (dropped.Contains(graph.Initializer[i].Name))
            {
                graph.Initializer.RemoveAt(i);
            }
        }

        graph.Initializer.Add(added);
        if (targets.Count > 0 && !proto.OpsetImport.Any(static o => o.Domain == MicrosoftDomain))
        {
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }

        return (proto.ToByteArray(), targets.Count);
    }

    /// <summary>Per-column symmetric int8 of a [K, N] fp32 matrix: the matrix, the N scales, the N zero points (0).</summary>
    internal static TensorProto[] Quantize(TensorProto weights)
    {
        var k = (int)weights.Dims[0];
        var n = (int)weights.Dims[1];
        ReadOnlySpan<float> values = weights.HasRawData
            ? MemoryMarshal.Cast<byte, float>(weights.RawData.Span)
            : weights.FloatData.ToArray();
        var scales = new float[n];
        for (var row = 0; row < k; row++)
        {
            var line = values.Slice(row * n, n);
            for (var col = 0; col < n; col++)
            {
                scales[col] = Math.Max(scales[col], Math.Abs(line[col]));
            }
        }

        for (var col = 0; col < n; col++)
        {
            scales[col] = scales[col] > 0 ? scales[col] / WeightMax : 1f;
        }

        var quantized = new byte[k * n];
        for (var row = 0; row < k; row++)
        {
            for (var col = 0; col < n; col++)
            {
                var q = (int)MathF.Round(values[(row * n) + col] / scales[col], MidpointRounding.ToEven);
                quantized[(row * n) + col] = unchecked((byte)(sbyte)Math.Clamp(q, -WeightMax, WeightMax));
            }
        }

        return
        [
            new TensorProto { Name = weights.Name + "_quantized", DataType = Int8, Dims = { k, n }, RawData = ByteString.CopyFrom(quantized) },
            new TensorProto { Name = weights.Name + "_scale", DataType = Float, Dims = { n }, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(scales.AsSpan())) },
            new TensorProto { Name = weights.Name + "_zero_point", DataType = Int8, Dims = { n }, RawData = ByteString.CopyFrom(new byte[n]) },
        ];
    }
}
