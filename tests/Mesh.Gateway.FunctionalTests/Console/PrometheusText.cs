using System.Globalization;
using System.Text.RegularExpressions;

namespace Mesh.Gateway.FunctionalTests.Console;

/// <summary>A strict parser of the Prometheus text exposition format 0.0.4 (as prometheus/common's expfmt reads it): every line a
/// comment (<c># HELP</c>, <c># TYPE</c>), a sample, or blank; names and label names by the format's grammar; label values with
/// the three escapes; one TYPE per family, before its samples; histograms whose buckets rise and end at <c>+Inf</c> = <c>_count</c>.
/// Anything else throws <see cref="FormatException"/> naming the line.</summary>
internal static partial class PrometheusText
{
    internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    internal sealed record Family(string Name, string Type, string? Help, List<Sample> Samples);

    public static IReadOnlyDictionary<string, Family> Parse(string text)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var match = Comment().Match(line);
                if (!match.Success)
                {
                    if (line.StartsWith("# HELP", StringComparison.Ordinal) || line.StartsWith("# TYPE", StringComparison.Ordinal))
                    {
                        throw new FormatException($"line {n + 1}: malformed {line[..6]}: {line}");
                    }

                    continue;
                }

                var name = match.Groups["name"].Value;
                if (match.Groups["kind"].Value == "TYPE")
                {
                    var type = match.Groups["rest"].Value;
                    if (type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                    {
                        throw new FormatException($"line {n + 1}: unknown type '{type}'");
                    }

                    if (families.TryGetValue(name, out var existing) && (existing.Type != "untyped" || existing.Samples.Count > 0))
                    {
                        throw new FormatException($"line {n + 1}: second TYPE for {name}, or TYPE after its samples");
                    }

                    families[name] = new Family(name, type, existing?.Help, existing?.Samples ?? []);
                }
                else
                {
                    families[name] = families.TryGetValue(name, out var f) ? f with { Help = match.Groups["rest"].Value } : new Family(name, "untyped", match.Groups["rest"].Value, []);
                }

                continue;
            }

            var sample = ParseSample(line, n + 1);
            var family = FamilyOf(families, sample.Name) ?? throw new FormatException($"line {n + 1}: sample {sample.Name} has no # TYPE before it");
            family.Samples.Add(sample);
        }

        foreach (var family in families.Values.Where(static f => f.Type == "histogram"))
        {
            CheckHistogram(family);
        }

        return families;
    }

    private static Family? FamilyOf(Dictionary<string, Family> families, string sampleName)
    {
        if (families.TryGetValue(sampleName, out var exact))
        {
            return exact;
        }

        foreach (var suffix in (string[])["_bucket", "_sum", "_count", "_total", "_created"])
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal) && families.TryGetValue(sampleName[..^suffix.Length], out var family))
            {
                return family;
            }
        }

        return null;
    }

    private static Sample ParseSample(string line, int n)
    {
        var i = 0;
        var name = MetricName().Match(line);
        if (!name.Success)
        {
            throw new FormatException($"line {n}: no metric name: {line}");
        }

        i = name.Length;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var label = LabelName().Match(line, i);
                if (!label.Success || label.Index != i)
                {
                    throw new FormatException($"line {n}: bad label name at column {i + 1}");
                }

                i += label.Length;
                if (line[i] != '=' || line[i + 1] != '"')
                {
                    throw new FormatException($"line {n}: expected =\" at column {i + 1}");
                }

                i += 2;
                var value = new System.Text.StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        value.Append(line[i + 1] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"line {n}: bad escape \\{line[i + 1]}"),
                        });
                        i += 2;
                    }
                    else
                    {
                        value.Append(line[i++]);
                    }
                }

                i++;
                if (!labels.TryAdd(label.Value, value.ToString()))
                {
                    throw new FormatException($"line {n}: label {label.Value} twice");
                }

                if (line[i] == ',')
                {
                    i++;
                }
                else if (line[i] != '}')
                {
                    throw new FormatException($"line {n}: expected , or }} at column {i + 1}");
                }
            }

            i++;
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException($"line {n}: expected a space before the value");
        }

        var parts = line[(i + 1)..].Split(' ');
        if (parts.Length is < 1 or > 2 || (parts.Length == 2 && !long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException($"line {n}: value [timestamp] expected: {line}");
        }

        var number = parts[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => v,
            _ => throw new FormatException($"line {n}: '{parts[0]}' is not a value"),
        };
        return new Sample(name.Value, labels, number);
    }

    private static void CheckHistogram(Family family)
    {
        var series = family.Samples.Where(s => s.Name == family.Name + "_bucket")
            .GroupBy(s => string.Join(",", s.Labels.Where(static l => l.Key != "le").OrderBy(static l => l.Key, StringComparer.Ordinal).Select(static l => l.Key + "=" + l.Value)));
        foreach (var buckets in series)
        {
            var previousLe = double.NegativeInfinity;
            var previousCount = 0d;
            foreach (var bucket in buckets)
            {
                var le = bucket.Labels.TryGetValue("le", out var text) ? text == "+Inf" ? double.PositiveInfinity : double.Parse(text, CultureInfo.InvariantCulture) : throw new FormatException($"{family.Name}: bucket without le");
                if (le <= previousLe || bucket.Value < previousCount)
                {
                    throw new FormatException($"{family.Name}{{{buckets.Key}}}: buckets must rise (le {le} after {previousLe}, count {bucket.Value} after {previousCount})");
                }

                previousLe = le;
                previousCount = bucket.Value;
            }

            if (!double.IsPositiveInfinity(previousLe))
            {
                throw new FormatException($"{family.Name}{{{buckets.Key}}}: no +Inf bucket");
            }

            var count = family.Samples.SingleOrDefault(s => s.Name == family.Name + "_count" && Key(s) == buckets.Key)
                ?? throw new FormatException($"{family.Name}{{{buckets.Key}}}: no _count");
            if (count.Value != previousCount)
            {
                throw new FormatException($"{family.Name}{{{buckets.Key}}}: +Inf bucket {previousCount} != _count {count.Value}");
            }
        }
    }

    private static string Key(Sample s) =>
        string.Join(",", s.Labels.Where(static l => l.Key != "le").OrderBy(static l => l.Key, StringComparer.Ordinal).Select(static l => l.Key + "=" + l.Value));

    [GeneratedRegex(@"^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<rest>.*)$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LabelName();
}
