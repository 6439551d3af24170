namespace Mesh.Gateway.Tenancy.Stores.Redis;

/// <summary>The Redis Cluster slot of a key: CRC16 (XMODEM) of its hash tag (or the whole key without one), modulo 16384.</summary>
/// <remarks>The Cluster specification's algorithm; a script's keys must share a slot or a Cluster refuses it with CROSSSLOT.</remarks>
internal static class RedisHashSlot
{
    public const int SlotCount = 16384;

    public static int Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = System.Text.Encoding.UTF8.GetBytes(key);
        ReadOnlySpan<byte> hashed = bytes;
        var open = hashed.IndexOf((byte)'{');
        if (open >= 0)
        {
            var close = hashed[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
            {
                hashed = hashed.Slice(open + 1, close);
            }
        }

        return Crc16(hashed) % SlotCount;
    }

    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        var crc = 0;
        foreach (var b in data)
        {
            crc ^= b << 8;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }

        return (ushort)crc;
    }
}
