using System.Buffers.Binary;

namespace Mesh.Gateway.Core.Tokens;

/// <summary>Reads an image's width and height from its header (PNG, GIF, JPEG, WebP), for pricing it in tokens.</summary>
internal static class ImageDimensions
{
    public static (int Width, int Height)? FromDataUrl(string url)
    {
        const string marker = ";base64,";
        if (!url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var at = url.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return null;
        }

        // The headers sit in the first few KB except for JPEGs with large metadata: decode at most 64 KB.
        var base64 = url.AsSpan(at + marker.Length);
        var take = Math.Min(base64.Length, 64 * 1024 / 3 * 4);
        var buffer = new byte[take / 4 * 3 + 3];
        return Convert.TryFromBase64Chars(base64[..(take / 4 * 4)], buffer, out var written) ? FromBytes(buffer.AsSpan(0, written)) : null;
    }

    public static (int Width, int Height)? FromBytes(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 24 && data[..8].SequenceEqual<byte>([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Valid(BinaryPrimitives.ReadInt32BigEndian(data[16..]), BinaryPrimitives.ReadInt32BigEndian(data[20..]));
        }

        if (data.Length >= 10 && (data[..6].SequenceEqual("GIF87a"u8) || data[..6].SequenceEqual("GIF89a"u8)))
        {
            return Valid(BinaryPrimitives.ReadUInt16LittleEndian(data[6..]), BinaryPrimitives.ReadUInt16LittleEndian(data[8..]));
        }

        if (data.Length >= 30 && data[..4].SequenceEqual("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return WebP(data);
        }

        return data.Length >= 4 && data[0] == 0xFF && data[1] == 0xD8 ? Jpeg(data) : null;
    }

    private static (int, int)? WebP(ReadOnlySpan<byte> data)
    {
        var chunk = data[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
        {
            var w = 1 + (data[24] | (data[25] << 8) | (data[26] << 16));
            var h = 1 + (data[27] | (data[28] << 8) | (data[29] << 16));
            return Valid(w, h);
        }

        if (chunk.SequenceEqual("VP8 "u8))
        {
            return Valid(BinaryPrimitives.ReadUInt16LittleEndian(data[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[28..]) & 0x3FFF);
        }

        if (chunk.SequenceEqual("VP8L"u8) && data.Length >= 25)
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[21..]);
            return Valid((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }

        return null;
    }

    // Walks the JPEG segments to the first start-of-frame marker, which holds the size.
    private static (int, int)? Jpeg(ReadOnlySpan<byte> data)
    {
        var i = 2;
        while (i + 9 < data.Length)
        {
            if (data[i] != 0xFF)
            {
                return null;
            }

            var marker = data[i + 1];
            if (marker == 0xFF)
            {
                i++;
                continue;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(i + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return Valid(BinaryPrimitives.ReadUInt16BigEndian(data[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(data[(i + 5)..]));
            }

            i += 2 + length;
        }

        return null;
    }

    private static (int, int)? Valid(int width, int height) => width > 0 && height > 0 ? (width, height) : null;
}
