using System.Globalization;
using Mesh.Gateway.Core.Composition.Schema;
using YamlDotNet.RepresentationModel;

namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>Finds keys no feature reads, at any depth, each named with its file, line and column and the nearest known key.</summary>
internal static class ConfigurationKeyChecker
{
    /// <summary>One line per unknown key in <paramref name="root"/>, in file order.</summary>
    /// <param name="source">The file name used in the lines.</param>
    /// <param name="root">The parsed file.</param>
    /// <param name="sections">The shapes of the sections the features declared.</param>
    /// <param name="listed">Top-level keys known without a shape (accepted, their keys unchecked).</param>
    public static IReadOnlyList<string> Check(string source, YamlNode? root, IReadOnlyList<ConfigurationSectionSchema> sections, IReadOnlyList<string> listed)
    {
        var errors = new List<string>();
        if (root is not YamlMappingNode mapping)
        {
            return errors;
        }

        var top = sections.Select(static s => s.Name).Concat(listed).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name })
            {
                continue;
            }

            var section = sections.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
            if (section is not null)
            {
                Walk(source, section.Node, valueNode, name, errors);
            }
            else if (!listed.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(Unknown(source, keyNode, name, name, top));
            }
        }

        return errors;
    }

    /// <summary>The known name nearest to <paramref name="name"/>, when it is close enough to be a typo; otherwise null.</summary>
    public static string? Nearest(string name, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return bestDistance <= Math.Max(1, Math.Min(3, name.Length / 3)) ? best : null;
    }

    private static void Walk(string source, ConfigurationNode schema, YamlNode node, string path, List<string> errors)
    {
        switch (schema, node)
        {
            case (ConfigurationObjectNode obj, YamlMappingNode mapping):
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } name })
                    {
                        continue;
                    }

                    if (obj.Find(name) is { } key)
                    {
                        Walk(source, key.Node, valueNode, path + "." + name, errors);
                    }
                    else
                    {
                        errors.Add(Unknown(source, keyNode, path + "." + name, name, obj.Keys.Select(static k => k.Name)));
                    }
                }

                break;
            case (ConfigurationListNode list, YamlSequenceNode sequence):
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Walk(source, list.Item, sequence.Children[i], path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", errors);
                }

                break;
            case (ConfigurationMapNode map, YamlMappingNode mapping):
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is YamlScalarNode { Value: { } name })
                    {
                        Walk(source, map.Entry, valueNode, path + "." + name, errors);
                    }
                }

                break;
            case (ConfigurationScalarNode { Type: not "any" } scalar, YamlMappingNode or YamlSequenceNode):
                errors.Add($"{Position(source, node)}: {path}: expects a value ({scalar.Type}), found a {(node is YamlMappingNode ? "mapping" : "list")}");
                break;
            case (ConfigurationObjectNode, YamlSequenceNode):
                errors.Add($"{Position(source, node)}: {path}: expects a mapping of keys, found a list");
                break;
            case (ConfigurationListNode, YamlMappingNode):
                errors.Add($"{Position(source, node)}: {path}: expects a list (items start with '- '), found a mapping");
                break;
            default:
                // A value where a mapping or list may be (empty, or null), or a free-form value: nothing to check.
                break;
        }
    }

    private static string Unknown(string source, YamlNode keyNode, string path, string name, IEnumerable<string> known)
    {
        var names = known.ToList();
        var hint = Nearest(name, names) is { } nearest
            ? $"; did you mean '{nearest}'?"
            : names.Count == 0 ? string.Empty : $" (known: {string.Join(", ", names)})";
        return $"{Position(source, keyNode)}: unknown key '{path}'{hint}";
    }

    private static string Position(string source, YamlNode node) =>
        string.Create(CultureInfo.InvariantCulture, $"{source}:{node.Start.Line}:{node.Start.Column}");

    // Optimal string alignment distance: a swapped pair of letters (ulr, url) counts as one edit.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
