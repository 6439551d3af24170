using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Compression;

namespace Mesh.Gateway.Tokenizers.Internal;

/// <summary>Reads tiktoken rank files (<c>base64(token) SP rank LF</c> per line) from the embedded resources.</summary>
/// <remarks>
/// Loading allocates the decompressed file once (its exact size, from the gzip trailer) and the table's own arrays, and nothing
/// per token: the tokens are decoded straight into one array in two passes over the text. Before (issue 22) o200k_base cost
/// about 31 MB of allocations for a 10 MB table (a growing stream, a copy, an array per token), most of it left in the
/// sidecar's RSS after its first call.
/// </remarks>
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

        // A gzip member ends with the uncompressed length modulo 2^32 (RFC 1952, ISIZE): the files are a few MB, so it is the
        // length, and the text is read into one array of that size instead of a stream that grows by doubling.
        Span<byte> trailer = stackalloc byte[4];
        stream.Seek(-4, SeekOrigin.End);
        stream.ReadExactly(trailer);
        stream.Seek(0, SeekOrigin.Begin);
        var text = new byte[BinaryPrimitives.ReadUInt32LittleEndian(trailer)];
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        gzip.ReadExactly(text);
        if (gzip.Read(stackalloc byte[1]) != 0)
        {
            throw new InvalidDataException($"The rank file resource '{resource}' is longer than its gzip trailer says.");
        }

        return text;
    }

    /// <summary>Parses a rank file. Ranks must be 0..n-1, each once.</summary>
    public static RankTable Parse(ReadOnlySpan<byte> text)
    {
        int lines = text.Count((byte)'\n') + (text.IsEmpty || text[^1] == (byte)'\n' ? 0 : 1);

        // First pass: each rank's decoded length, at offsets[rank + 1] (a token has at least one byte, so 0 = not seen yet).
        var offsets = new int[lines + 1];
        int count = 0;
        for (ReadOnlySpan<byte> rest = text; !rest.IsEmpty;)
        {
            ReadOnlySpan<byte> line = NextLine(ref rest);
            if (line.IsEmpty)
            {
                continue;
            }

            int space = line.IndexOf((byte)' ');
            int length = space <= 0 ? 0 : DecodedLength(line[..space]);
            if (length <= 0
                || !int.TryParse(line[(space + 1)..], out int rank)
                || (uint)rank >= (uint)lines
                || offsets[rank + 1] != 0)
            {
                throw new InvalidDataException($"Rank file line {count + 1} is malformed.");
            }

            offsets[rank + 1] = length;
            count++;
        }

        if (count < lines)
        {
            offsets = offsets[..(count + 1)];
        }

        for (int rank = 0; rank < count; rank++)
        {
            if (offsets[rank + 1] == 0)
            {
                throw new InvalidDataException($"Rank {rank} is missing.");
            }

            offsets[rank + 1] += offsets[rank];
        }

        // Second pass: each token decoded into its place.
        var all = new byte[offsets[count]];
        int number = 0;
        for (ReadOnlySpan<byte> rest = text; !rest.IsEmpty;)
        {
            ReadOnlySpan<byte> line = NextLine(ref rest);
            if (line.IsEmpty)
            {
                continue;
            }

            number++;
            int space = line.IndexOf((byte)' ');
            int rank = int.Parse(line[(space + 1)..]);
            Span<byte> token = all.AsSpan(offsets[rank], offsets[rank + 1] - offsets[rank]);
            if (Base64.DecodeFromUtf8(line[..space], token, out _, out int written) != OperationStatus.Done || written != token.Length)
            {
                throw new InvalidDataException($"Rank file line {number} is malformed.");
            }
        }

        return new RankTable(all, offsets);
    }

    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> rest)
    {
        int newline = rest.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line = newline < 0 ? rest : rest[..newline];
        rest = newline < 0 ? default : rest[(newline + 1)..];
        return line;
    }

    /// <summary>The number of bytes a padded base64 text decodes to; 0 when its length or padding is not base64's.</summary>
    private static int DecodedLength(ReadOnlySpan<byte> base64)
    {
        if (base64.Length == 0 || base64.Length % 4 != 0)
        {
            return 0;
        }

        int padding = base64[^1] != (byte)'=' ? 0 : base64[^2] == (byte)'=' ? 2 : 1;
        return base64.Length / 4 * 3 - padding;
    }
}
