using System.Globalization;

namespace Mesh.Gateway.Grpc.Internal.Protocol;

/// <summary>Parses and formats grpc-timeout values: at most 8 ASCII digits and a unit (H, M, S, m, u, n).</summary>
internal static class GrpcTimeout
{
    /// <summary>The largest timeout gRPC can express; grpc-dotnet clamps to it.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(99_999_999);

    public static bool TryParse(ReadOnlySpan<char> value, out TimeSpan timeout)
    {
        timeout = default;
        if (value.Length is < 2 or > 9)
        {
            return false;
        }

        var digits = value[..^1];
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = amount * TimeSpan.TicksPerHour; break;
            case 'M': ticks = amount * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = amount * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = amount * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = amount * 10; break;
            case 'n': ticks = amount / 100; break;
            default: return false;
        }

        timeout = TimeSpan.FromTicks(Math.Min(ticks, Max.Ticks));
        return true;
    }

    /// <summary>Formats a timeout with the finest unit that fits in 8 digits, rounding up so the server never sees a shorter deadline.</summary>
    public static string Format(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return "1n";
        }

        var ticks = timeout.Ticks;
        if (ticks <= 999_999)
        {
            return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "n";
        }

        (long Divisor, char Unit)[] units = [(10, 'u'), (TimeSpan.TicksPerMillisecond, 'm'), (TimeSpan.TicksPerSecond, 'S'), (TimeSpan.TicksPerMinute, 'M'), (TimeSpan.TicksPerHour, 'H')];
        foreach (var (divisor, unit) in units)
        {
            var amount = (ticks + divisor - 1) / divisor;
            if (amount <= 99_999_999)
            {
                return amount.ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return "99999999H";
    }
}
