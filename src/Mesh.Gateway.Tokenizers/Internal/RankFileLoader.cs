using System.Buffers;
using System.Buffers.Text;
using System.IO.Compression;

namespace Mesh.Gateway.Tokenizers.Internal;

/// <summary>Reads tiktoken rank files (<c>base64(token) SP rank LF</c> per line) from the embedded resources.</summary>
internal static class RankFileLoader
{
    /// <summary>Loads the embedded, gzip-compressed rank file of an encoding.</summary>
    public static RankTable LoadEmbedded(string encodingName)
    {
        byte[] text = ReadEmbedded(encodingName);
        return Parse(text);
    }

    /// <summary>The decompressed bytes of an embedded rank file, exactly as OpenAI publishes it.</summary>
    public static byte[] ReadEmbedded(string encodingName)
    {
        string resource = $"Mesh.Gateway.Tokenizers.Resources.{encodingName}.tiktoken.gz";
        using Stream stream = typeof(RankFileLoader).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The rank file resource '{resource}' is missing.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>Parses a rank file. Ranks must be 0..n-1, each once.</summary>
    public static RankTable Parse(ReadOnlySpan<byte> text)
    {
        int lines = text.Count((byte)'\n') + 1;
        var bytesByRank = new byte[lines][];
        int count = 0;
        int total = 0;
        Span<byte> decoded = stackalloc byte[512];
        while (!text.IsEmpty)
        {
            int newline = text.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = newline < 0 ? text : text[..newline];
            text = newline < 0 ? default : text[(newline + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }

            int space = line.IndexOf((byte)' ');
            if (space <= 0
                || Base64.DecodeFromUtf8(line[..space], decoded, out _, out int written) != OperationStatus.Done
                || !int.TryParse(line[(space + 1)..], out int rank)
                || (uint)rank >= (uint)bytesByRank.Length
                || bytesByRank[rank] is not null)
            {
                throw new InvalidDataException($"Rank file line {count + 1} is malformed.");
            }

            bytesByRank[rank] = decoded[..written].ToArray();
            total += written;
            count++;
        }

        var all = new byte[total];
        var offsets = new int[count + 1];
        int offset = 0;
        for (int rank = 0; rank < count; rank++)
        {
            byte[] token = bytesByRank[rank] ?? throw new InvalidDataException($"Rank {rank} is missing.");
            offsets[rank] = offset;
            token.CopyTo(all, offset);
            offset += token.Length;
        }

        offsets[count] = offset;
        return new RankTable(all, offsets);
    }
}
