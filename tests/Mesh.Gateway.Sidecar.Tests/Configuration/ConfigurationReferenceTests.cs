using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Sidecar.Configuration;
using Mesh.Gateway.Tenancy.Ledger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar.Tests.Configuration;

/// <summary>
/// docs/configuration-reference.md is generated from the sections every feature declares (their options types and the
/// shapes declared by hand); this test fails when the two differ. Regenerate with
/// <c>MESH_UPDATE_CONFIG_REFERENCE=1 dotnet test tests/Mesh.Gateway.Sidecar.Tests --filter ConfigurationReference</c>.
/// </summary>
public sealed partial class ConfigurationReferenceTests
{
    private const string DocPath = "docs/configuration-reference.md";

    [Fact]
    public void ConfigurationReference_InStepWithTheOptionClasses()
    {
        var generated = Generate();
        var path = Path.Combine(RepositoryRoot(), DocPath);
        if (Environment.GetEnvironmentVariable("MESH_UPDATE_CONFIG_REFERENCE") == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), $"{DocPath} is missing; run MESH_UPDATE_CONFIG_REFERENCE=1 dotnet test tests/Mesh.Gateway.Sidecar.Tests --filter ConfigurationReference");
        var committed = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.True(committed == generated,
            $"{DocPath} is out of step with the option classes; run MESH_UPDATE_CONFIG_REFERENCE=1 dotnet test tests/Mesh.Gateway.Sidecar.Tests --filter ConfigurationReference");
    }

    [Fact]
    public void ConfigurationReference_EveryBoundPropertyIsAKey()
    {
        // The derived shapes come from the same properties the binder fills: a property added to an options type is a key
        // the file may hold (and the reference lists it), a key removed from the type is refused.
        var generated = Generate();

        Assert.Contains("| `providers[].base_url` |", generated, StringComparison.Ordinal);
        Assert.Contains("| `tenants[].limits.requests_per_minute` |", generated, StringComparison.Ordinal);
        Assert.Contains("| `guardrails.policies.<name>.moderation.on_output` |", generated, StringComparison.Ordinal);
        Assert.Contains("| `ledger.path` | string | `$XDG_STATE_HOME/mesh-gateway/ledger.jsonl` |", generated, StringComparison.Ordinal);
    }

    internal static string Generate()
    {
        var services = new ServiceCollection();
        SidecarFeatures.AddServices(services, new ConfigurationBuilder().Build());
        var docs = new XmlDocs();
        var text = new StringBuilder();
        text.Append("""
            # Configuration reference

            Generated from the option classes and the shapes each feature declares (`Core/Composition/Schema`); do not edit by
            hand. `ConfigurationReferenceTests` fails when this file is out of step; regenerate it with

            ```sh
            MESH_UPDATE_CONFIG_REFERENCE=1 dotnet test tests/Mesh.Gateway.Sidecar.Tests --filter ConfigurationReference
            ```

            Keys are case-insensitive and written in snake_case. `[]` is an item of a list, `<name>` a name you choose. Any key
            not listed here stops the start (and a reload) with its `file:line:col` and the nearest known key. Values may use
            `${NAME}` and `${NAME:-default}` for environment variables. Gateway keys are stored as `sha256:` hashes: make one
            with `printf %s "$KEY" | dotnet run --project sidecar -- hash-key`.

            On reload (the file changes, or `POST /admin/reload` on the admin listener) the whole file is checked as at start;
            `restart_required` in `/readyz` names what changed but is not in force until a restart (listen addresses, and
            every section but `models`, `tenants`, `auth`, `limits`, `prices` and `guardrails` today).

            """.ReplaceLineEndings("\n"));
        foreach (var section in HostConfigurationSchema.All(services).OrderBy(static s => Order(s.Name)).ThenBy(static s => s.Name, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n## `{section.Name}`\n\n");
            if (section.Description is { } description)
            {
                text.Append(description).Append("\n\n");
            }

            text.Append("| key | type | default | meaning |\n|---|---|---|---|\n");
            Rows(text, docs, section.Name, section.Node);
        }

        return text.ToString();
    }

    // The host's sections first, then the features' in the order of SidecarFeatures.Sections.
    private static int Order(string name)
    {
        var index = SidecarFeatures.Sections.ToList().FindIndex(s => s.Equals(name, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? int.MaxValue : index;
    }

    private static void Rows(StringBuilder text, XmlDocs docs, string path, ConfigurationNode node)
    {
        switch (node)
        {
            case ConfigurationObjectNode obj:
                foreach (var key in obj.Keys)
                {
                    var keyPath = path + "." + key.Name;
                    var meaning = key.Description ?? docs.Summary(key.Property) ?? string.Empty;
                    var type = key.Node switch
                    {
                        ConfigurationScalarNode scalar => scalar.Type,
                        ConfigurationListNode { Item: ConfigurationScalarNode item } => "list of " + item.Type,
                        ConfigurationListNode => "list",
                        ConfigurationMapNode { Entry: ConfigurationScalarNode entry } => "map of " + entry.Type,
                        ConfigurationMapNode => "map",
                        _ => "mapping",
                    };
                    text.Append(CultureInfo.InvariantCulture, $"| `{keyPath}` | {type} | {Default(key)} | {Cell(meaning)} |\n");
                    Rows(text, docs, keyPath, key.Node);
                }

                break;
            case ConfigurationListNode list when list.Item is not ConfigurationScalarNode:
                Rows(text, docs, path + "[]", list.Item);
                break;
            case ConfigurationMapNode map when map.Entry is not ConfigurationScalarNode:
                Rows(text, docs, path + ".<name>", map.Entry);
                break;
            default:
                break;
        }
    }

    // The ledger's default depends on the machine (the user's state directory); the reference names the rule.
    private static string Default(ConfigurationKey key) =>
        key.Property == typeof(LedgerOptions).GetProperty(nameof(LedgerOptions.Path))
            ? "`$XDG_STATE_HOME/mesh-gateway/ledger.jsonl`"
            : key.Default is { } value ? $"`{value}`" : string.Empty;

    private static string Cell(string text) => WhiteSpace().Replace(text, " ").Replace("|", "\\|", StringComparison.Ordinal).Trim();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mesh.Gateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Mesh.Gateway.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    // The XML documentation files built beside the assemblies (GenerateDocumentationFile): a property's summary, as text.
    private sealed class XmlDocs
    {
        private readonly Dictionary<string, string> _summaries = new(StringComparer.Ordinal);

        public XmlDocs()
        {
            foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "Mesh.Gateway.*.xml"))
            {
                foreach (var member in XDocument.Load(file).Descendants("member"))
                {
                    if (member.Attribute("name")?.Value is { } name && member.Element("summary") is { } summary)
                    {
                        _summaries[name] = Text(summary);
                    }
                }
            }
        }

        public string? Summary(PropertyInfo? property) =>
            property?.DeclaringType is { } type && _summaries.TryGetValue($"P:{type.FullName}.{property.Name}", out var summary) ? summary : null;

        private static string Text(XElement element)
        {
            var text = new StringBuilder();
            foreach (var node in element.Nodes())
            {
                text.Append(node switch
                {
                    XText t => t.Value,
                    XElement { Name.LocalName: "c" } c => "`" + c.Value + "`",
                    XElement { Name.LocalName: "see" } see => see.Attribute("cref")?.Value is { } cref
                        ? "`" + cref[(cref.LastIndexOf('.') + 1)..] + "`"
                        : see.Attribute("langword")?.Value ?? string.Empty,
                    XElement e => Text(e),
                    _ => string.Empty,
                });
            }

            return text.ToString();
        }
    }
}
