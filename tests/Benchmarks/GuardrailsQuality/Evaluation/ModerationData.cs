using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.GuardrailsQuality.Evaluation;

/// <summary>
/// Hatecheck (hateful / non-hateful; threats also count as violence) and toxigen demonstrations (hate / neutral by file name).
/// These sets label hate only; the other categories are measured as false positives on them.
/// </summary>
internal static class ModerationData
{
    internal sealed record Row(string Set, string Text, bool Hateful, string Functionality);

    internal static List<Row> Hatecheck()
    {
        var rows = new List<Row>();
        string[] lines = File.ReadAllLines(Fixtures.PathOf("moderation", "hatecheck", "test_suite_cases.csv"));
        string[] header = Csv.ParseLine(lines[0]);
        int fi = Array.IndexOf(header, "functionality");
        int ti = Array.IndexOf(header, "test_case");
        int li = Array.IndexOf(header, "label_gold");
        foreach (string line in lines.Skip(1))
        {
            var f = Csv.ParseLine(line);
            if (f.Length > Math.Max(fi, Math.Max(ti, li)))
            {
                rows.Add(new Row("hatecheck", f[ti].Trim(), f[li] == "hateful", f[fi]));
            }
        }

        return rows;
    }

    internal static List<Row> Toxigen()
    {
        var rows = new List<Row>();
        foreach (string file in Directory.GetFiles(Fixtures.PathOf("moderation", "toxigen"), "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(file);
            if (name.StartsWith("LICENSE", StringComparison.Ordinal))
            {
                continue;
            }

            bool hate = name.StartsWith("hate", StringComparison.Ordinal);
            foreach (string line in File.ReadLines(file))
            {
                string t = line.Trim().TrimStart('-', ' ').Trim();
                if (t.Length > 0)
                {
                    rows.Add(new Row("toxigen", t, hate, Path.GetFileNameWithoutExtension(file)));
                }
            }
        }

        return rows;
    }

    internal static IEnumerable<string> HatecheckNonHateful() => Hatecheck().Where(r => !r.Hateful).Select(r => r.Text);

    internal static IEnumerable<string> ToxigenNeutral() => Toxigen().Where(r => !r.Hateful).Select(r => r.Text);

    internal static GuardDirection Direction => GuardDirection.Input;
}
