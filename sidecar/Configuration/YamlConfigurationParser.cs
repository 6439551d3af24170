using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>
/// Flattens one YAML document into <see cref="Microsoft.Extensions.Configuration"/> keys: mappings become sections,
/// sequences become indexes (<c>tenants:0:api_keys:0</c>), names stay as written (snake_case).
/// </summary>
internal static class YamlConfigurationParser
{
    private static readonly HashSet<string> NullScalars = new(StringComparer.Ordinal) { "", "~", "null", "Null", "NULL" };

    /// <summary>Parses <paramref name="reader"/>; <paramref name="source"/> names the file in error messages.</summary>
    /// <exception cref="ConfigurationFileException">The YAML is malformed or a value cannot be expanded.</exception>
    public static YamlConfigurationDocument Parse(TextReader reader, string source, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(environment);

        var text = reader.ReadToEnd();
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new ConfigurationFileException($"{source}:{ex.Start.Line}:{ex.Start.Column}: invalid YAML: {BareMessage(ex)}", ex);
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var topLevel = new List<YamlTopLevelKey>();
        if (stream.Documents.Count == 0)
        {
            return new YamlConfigurationDocument(data, topLevel, null, sha256);
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            throw new ConfigurationFileException($"{source}:{second.Line}:{second.Column}: a configuration file holds one YAML document, found a second one");
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode scalar && IsNull(scalar))
        {
            return new YamlConfigurationDocument(data, topLevel, null, sha256);
        }

        if (root is not YamlMappingNode mapping)
        {
            throw new ConfigurationFileException($"{source}:{root.Start.Line}:{root.Start.Column}: the top level must be a mapping of section names (for example 'listen:')");
        }

        var walker = new Walker(source, environment, data);
        foreach (var (keyNode, _) in mapping.Children)
        {
            if (keyNode is YamlScalarNode { Value: { } name })
            {
                topLevel.Add(new YamlTopLevelKey(name, keyNode.Start.Line));
            }
        }

        walker.VisitMapping(mapping, key: null, display: null);
        return new YamlConfigurationDocument(data, topLevel, root, sha256);
    }

    private static bool IsNull(YamlScalarNode node) =>
        node.Style == YamlDotNet.Core.ScalarStyle.Plain && NullScalars.Contains(node.Value ?? string.Empty);

    // YamlException messages start with "(Line: 3, Col: 5, Idx: 20) - (Line: 3, Col: 6, Idx: 21): "; the caller prints its own position.
    private static string BareMessage(YamlException ex)
    {
        var message = ex.Message;
        if (message.StartsWith("(Line:", StringComparison.Ordinal))
        {
            var end = message.IndexOf("): ", StringComparison.Ordinal);
            if (end >= 0)
            {
                message = message[(end + 3)..];
            }
        }

        return message.TrimEnd('.');
    }

    private sealed class Walker(string source, Func<string, string?> environment, Dictionary<string, string?> data)
    {
        public void VisitMapping(YamlMappingNode mapping, string? key, string? display)
        {
            if (mapping.Children.Count == 0 && key is not null)
            {
                data[key] = null;
                return;
            }

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                if (keyNode is not YamlScalarNode { Value: { Length: > 0 } name } || name.Contains(':', StringComparison.Ordinal))
                {
                    throw new ConfigurationFileException(
                        $"{source}:{keyNode.Start.Line}:{keyNode.Start.Column}: keys must be plain names without ':' (under '{display ?? "the top level"}')");
                }

                if (!seen.Add(name))
                {
                    throw new ConfigurationFileException(
                        $"{source}:{keyNode.Start.Line}:{keyNode.Start.Column}: duplicate key '{Join(display, name)}' (keys are case-insensitive)");
                }

                Visit(valueNode, key is null ? name : key + ":" + name, Join(display, name));
            }
        }

        private static string Join(string? display, string name) => display is null ? name : display + "." + name;

        private void Visit(YamlNode node, string key, string display)
        {
            switch (node)
            {
                case YamlMappingNode mapping:
                    VisitMapping(mapping, key, display);
                    break;
                case YamlSequenceNode sequence:
                    if (sequence.Children.Count == 0)
                    {
                        data[key] = null;
                        break;
                    }

                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        Visit(sequence.Children[i], key + ":" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{display}[{i}]");
                    }

                    break;
                case YamlScalarNode scalar:
                    if (IsNull(scalar))
                    {
                        data[key] = string.Empty;
                        break;
                    }

                    if (!EnvironmentSubstitution.TryExpand(scalar.Value ?? string.Empty, environment, out var value, out var error))
                    {
                        throw new ConfigurationFileException($"{source}:{scalar.Start.Line}:{scalar.Start.Column}: {display}: {error}");
                    }

                    data[key] = value;
                    break;
                default:
                    throw new ConfigurationFileException($"{source}:{node.Start.Line}:{node.Start.Column}: {display}: unsupported YAML node");
            }
        }
    }
}
