namespace Mesh.Gateway.GuardrailsQuality.Evaluation;

/// <summary>
/// The deterministic tune / held-out split: FNV-1a of the text, even = tune, odd = held-out.
/// Rules are adjusted only while looking at the tune half; the report and the floors use the held-out half.
/// </summary>
internal enum SplitPart
{
    Tune = 0,
    HeldOut = 1,
}

internal static class Split
{
    internal static SplitPart Of(string text)
    {
        uint h = 2166136261;
        foreach (char c in text)
        {
            h = (h ^ c) * 16777619;
        }

        return (h & 1) == 0 ? SplitPart.Tune : SplitPart.HeldOut;
    }
}
