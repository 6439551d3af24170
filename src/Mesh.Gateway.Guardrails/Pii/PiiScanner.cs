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

        findings.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
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
}
