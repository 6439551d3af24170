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
    {
        _path = path;
        if (File.Exists(path))
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
