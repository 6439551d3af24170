using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Mesh.Gateway.Embeddings;

namespace Mesh.Gateway.GuardrailsQuality.Learned;

/// <summary>
/// Sentence vectors of the fixtures' texts from the shipped encoder (<see cref="MiniLmTextEncoder"/>: windowed, mean of the
/// windows), kept in a file under obj/ so a second run does not encode again. The file is a cache only: delete it and the
/// same vectors come back.
/// </summary>
internal sealed class EmbeddingStore : IDisposable
{
    private const int Dimensions = 384;
    private readonly Dictionary<string, float[]> _vectors = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly MiniLmTextEncoder _encoder = new();
    private int _added;

    internal EmbeddingStore(string path)
        : this(path, load: true)
    {
    }

    private EmbeddingStore(string path, bool load)
    {
        _path = path;
        if (load && File.Exists(path))
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            while (reader.BaseStream.Position < reader.BaseStream.Length)
            {
                string key = reader.ReadString();
                var v = new float[Dimensions];
                for (int i = 0; i < Dimensions; i++)
                {
                    v[i] = reader.ReadSingle();
                }

                _vectors[key] = v;
            }
        }
    }

    /// <summary>
    /// A store filled from the committed, 8-bit vectors (<see cref="WriteCommitted"/>): what the quality tests train and
    /// measure on without loading the model. A text not in the file is encoded (and counted in <see cref="Encoded"/>).
    /// </summary>
    internal static EmbeddingStore FromCommitted(string committedPath)
    {
        var store = new EmbeddingStore(Path.Combine(Path.GetTempPath(), "mesh-gateway-unused-" + Guid.NewGuid().ToString("N") + ".bin"), load: false);
        using var reader = new BinaryReader(File.OpenRead(committedPath));
        if (reader.ReadInt32() != CommittedMagic || reader.ReadInt32() != Dimensions)
        {
            throw new InvalidDataException(committedPath + " is not a committed embeddings file of " + Dimensions + " dimensions.");
        }

        int count = reader.ReadInt32();
        for (int n = 0; n < count; n++)
        {
            string key = Convert.ToHexString(reader.ReadBytes(32));
            float scale = reader.ReadSingle();
            var v = new float[Dimensions];
            for (int i = 0; i < Dimensions; i++)
            {
                v[i] = reader.ReadSByte() * scale;
            }

            store._vectors[key] = v;
        }

        return store;
    }

    /// <summary>Writes the vectors of <paramref name="texts"/> (encoding any missing), each as 384 signed bytes and one scale (max |x| / 127).</summary>
    internal void WriteCommitted(string path, IEnumerable<string> texts)
    {
        var keys = texts.Distinct(StringComparer.Ordinal).Select(t => (Key: Key(t), Vector: Get(t))).DistinctBy(x => x.Key, StringComparer.Ordinal).OrderBy(x => x.Key, StringComparer.Ordinal).ToList();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(CommittedMagic);
        writer.Write(Dimensions);
        writer.Write(keys.Count);
        foreach (var (key, v) in keys)
        {
            writer.Write(Convert.FromHexString(key));
            float max = v.Max(MathF.Abs);
            float scale = max == 0 ? 1 : max / 127f;
            writer.Write(scale);
            foreach (float f in v)
            {
                writer.Write((sbyte)Math.Clamp(MathF.Round(f / scale), -127, 127));
            }
        }
    }

    private const int CommittedMagic = 0x3145474D; // "MGE1"

    internal TimeSpan EncodeTime { get; private set; }

    internal int Encoded { get; private set; }

    internal float[] Get(string text)
    {
        string key = Key(text);
        if (!_vectors.TryGetValue(key, out var v))
        {
            var sw = Stopwatch.StartNew();
            v = _encoder.Encode(text, CancellationToken.None);
            EncodeTime += sw.Elapsed;
            Encoded++;
            _vectors[key] = v;
            if (++_added % 100 == 0)
            {
                Save();
                Console.Error.WriteLine($"encoded {_added} texts ({EncodeTime.TotalSeconds:F0} s)");
            }
        }

        return v;
    }

    internal void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        using var writer = new BinaryWriter(File.Create(_path));
        foreach (var (key, v) in _vectors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            writer.Write(key);
            foreach (float f in v)
            {
                writer.Write(f);
            }
        }
    }

    public void Dispose()
    {
        if (_added > 0)
        {
            Save();
        }

        _encoder.Dispose();
    }

    private static string Key(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
