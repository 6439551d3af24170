using System.Security.Cryptography;
using System.Text;
using Mesh.Gateway.Core.Embeddings;

namespace Mesh.Gateway.CacheQuality.Learning;

/// <summary>
/// The encoder's vectors of every text this program has seen, kept in a file under obj/ (never committed), so training
/// and the report do not encode the same 20,000 texts again. A text changed or added is encoded; the file only speeds up.
/// The key holds the encoder's model name: fp32 and int8 MiniLM (or another encoder) never share a vector.
/// </summary>
internal sealed class EmbeddingMemo(ITextEncoder encoder, string path)
{
    private readonly Dictionary<string, float[]> _vectors = Load(path, encoder.Dimensions);
    private int _added;

    public int Encoded { get; private set; }

    public long EncodeTicks { get; private set; }

    public float[] Get(string text)
    {
        var key = Key(encoder.ModelName, text);
        if (_vectors.TryGetValue(key, out var v))
        {
            return v;
        }

        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        v = encoder.Encode(text, CancellationToken.None);
        EncodeTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
        Encoded++;
        _vectors[key] = v;
        if (++_added % 1000 == 0)
        {
            Save();
            Console.Error.WriteLine($"encoded {Encoded}");
        }

        return v;
    }

    public void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(_vectors.Count);
        foreach (var (key, v) in _vectors)
        {
            writer.Write(key);
            foreach (var x in v)
            {
                writer.Write(x);
            }
        }
    }

    private static Dictionary<string, float[]> Load(string path, int dimensions)
    {
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return vectors;
        }

        using var reader = new BinaryReader(File.OpenRead(path));
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            var v = new float[dimensions];
            for (var k = 0; k < dimensions; k++)
            {
                v[k] = reader.ReadSingle();
            }

            vectors[key] = v;
        }

        return vectors;
    }

    private static string Key(string model, string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(model + "\n" + text)));
}
