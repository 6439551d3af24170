namespace Mesh.Gateway.Tokenizers.Chat;

/// <summary>OpenAI's published image pricing (see <see cref="ImageTokenRule"/>).</summary>
internal static class ImageTokenCalculator
{
    /// <summary>The size assumed when the caller does not know an image's size.</summary>
    public const int AssumedSide = 1024;

    public static int Count(ImageTokenRule rule, int? width, int? height, ChatTokenImageDetail detail, out bool sizeAssumed)
    {
        sizeAssumed = false;
        if (rule.PatchMultiplier is null && detail == ChatTokenImageDetail.Low)
        {
            return rule.BaseTokens;
        }

        double w = width ?? 0;
        double h = height ?? 0;
        if (w <= 0 || h <= 0)
        {
            sizeAssumed = true;
            w = h = AssumedSide;
        }

        if (rule.PatchMultiplier is double multiplier)
        {
            long patches = Patches(w, h);
            return (int)Math.Ceiling(patches * (decimal)multiplier);
        }

        // Fit within 2048x2048, then shortest side to 768 (images are only ever scaled down).
        double fit = Math.Min(1.0, 2048.0 / Math.Max(w, h));
        w *= fit;
        h *= fit;
        double shortest = Math.Min(1.0, 768.0 / Math.Min(w, h));
        w *= shortest;
        h *= shortest;
        long tiles = (long)Math.Ceiling(w / 512.0) * (long)Math.Ceiling(h / 512.0);
        return (int)(rule.BaseTokens + (rule.TileTokens * tiles));
    }

    // 32px patches, scaled down to at most 1536.
    private static long Patches(double w, double h)
    {
        const double patch = 32.0;
        const double budget = 1536.0;
        long raw = (long)Math.Ceiling(w / patch) * (long)Math.Ceiling(h / patch);
        if (raw <= budget)
        {
            return raw;
        }

        double ratio = Math.Sqrt(patch * patch * budget / (w * h));
        double across = w * ratio / patch;
        double down = h * ratio / patch;
        ratio *= Math.Min(Math.Floor(across) / across, Math.Floor(down) / down);
        long patches = (long)Math.Ceiling(Math.Round(w * ratio / patch, 9)) * (long)Math.Ceiling(Math.Round(h * ratio / patch, 9));
        return Math.Min(patches, (long)budget);
    }
}
