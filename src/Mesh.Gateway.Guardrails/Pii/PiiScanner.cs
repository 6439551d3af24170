using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>Runs the enabled PII and secret detectors over a text and returns non-overlapping hits with context-adjusted scores.</summary>
internal static class PiiScanner
{
    internal static void Scan(ReadOnlySpan<char> t, PiiKinds kinds, List<RawFinding> output)
    {
        int first = output.Count;
        if ((kinds & PiiKinds.Email) != 0)
        {
            EmailDetector.Scan(t, output);
        }

        NumberDetector.Scan(t, kinds, output);
        if ((kinds & PiiKinds.IpAddress) != 0)
        {
            Ipv6Detector.Scan(t, output);
        }

        if ((kinds & PiiKinds.Url) != 0)
        {
            UrlDetector.Scan(t, output);
        }

        SecretDetector.Scan(t, kinds, output);
        NationalIdDetector.Scan(t, kinds, output);
        if (output.Count > first)
        {
            var mine = output.GetRange(first, output.Count - first);
            output.RemoveRange(first, output.Count - first);
            ContextScorer.Apply(t, mine);
            output.AddRange(mine);
        }
    }

    /// <summary>Sorts by start and drops hits that overlap a stronger one (higher score, then longer).</summary>
    internal static void ResolveOverlaps(List<RawFinding> findings)
    {
        if (findings.Count < 2)
        {
            return;
        }

        SortByStart(findings, longerFirst: true);
        var kept = new List<RawFinding>(findings.Count);
        foreach (var f in findings)
        {
            if (kept.Count > 0 && kept[^1].End > f.Start)
            {
                var prev = kept[^1];
                if (f.Score > prev.Score || (f.Score == prev.Score && f.Length > prev.Length))
                {
                    kept[^1] = f;
                }

                continue;
            }

            kept.Add(f);
        }

        findings.Clear();
        findings.AddRange(kept);
    }

    /// <summary>Sorts by start (then longer first, or keeping the current order), with primitive keys: no comparison delegate per pair.</summary>
    internal static void SortByStart(List<RawFinding> findings, bool longerFirst)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(findings);
        bool sorted = true;
        for (int k = 1; k < span.Length && sorted; k++)
        {
            sorted = span[k - 1].Start < span[k].Start || (span[k - 1].Start == span[k].Start && (!longerFirst || span[k - 1].Length >= span[k].Length));
        }

        if (sorted)
        {
            return;
        }

        var keys = new long[span.Length];
        var items = span.ToArray();
        for (int k = 0; k < items.Length; k++)
        {
            // Start in the high half; then longer first (when asked) or the original position (a stable order).
            keys[k] = ((long)items[k].Start << 32) | (uint)(longerFirst ? int.MaxValue - items[k].Length : k);
        }

        Array.Sort(keys, items);
        items.CopyTo(span);
    }
}
