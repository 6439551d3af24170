using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>Reads <c>prompts:</c> by hand (no reflection, so it stays Native AOT-safe), each problem naming its key path.</summary>
public static class PromptsOptionsBinder
{
    /// <summary>Binds <c>prompts:</c> from the configuration root; <paramref name="errors"/> lists unknown keys and values of the wrong shape.</summary>
    public static PromptsOptions Bind(IConfiguration configuration, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var section = configuration.GetSection(PromptsOptions.SectionName);
        CheckKeys(section, "prompts", problems, "templates", "decorators");
        var options = new PromptsOptions
        {
            Templates = [.. Items(section.GetSection("templates")).Select((t, i) => Template(t, $"prompts.templates[{i}]", problems))],
            Decorators = [.. Items(section.GetSection("decorators")).Select((d, i) => Decorator(d, $"prompts.decorators[{i}]", problems))],
        };
        errors = problems;
        return options;
    }

    private static PromptTemplateOptions Template(IConfigurationSection section, string path, List<string> problems)
    {
        CheckKeys(section, path, problems, "name", "description", "variables", "versions", "labels");
        var labels = new Dictionary<string, PromptLabelOptions>(StringComparer.Ordinal);
        foreach (var label in section.GetSection("labels").GetChildren())
        {
            labels[label.Key] = Label(label, $"{path}.labels.{label.Key}", problems);
        }

        return new PromptTemplateOptions
        {
            Name = section["name"] ?? string.Empty,
            Variables = [.. Items(section.GetSection("variables")).Select((v, i) => Variable(v, $"{path}.variables[{i}]", problems))],
            Versions = [.. Items(section.GetSection("versions")).Select((v, i) => Version(v, $"{path}.versions[{i}]", problems))],
            Labels = labels,
        };
    }

    private static PromptVariableOptions Variable(IConfigurationSection section, string path, List<string> problems)
    {
        CheckKeys(section, path, problems, "name", "type", "default", "values", "from", "from_label", "description");
        return new PromptVariableOptions
        {
            Name = section["name"] ?? string.Empty,
            Type = section["type"] ?? "string",
            Default = section["default"],
            Values = Strings(section.GetSection("values")),
            From = section["from"],
            FromLabel = section["from_label"],
        };
    }

    private static PromptVersionOptions Version(IConfigurationSection section, string path, List<string> problems)
    {
        CheckKeys(section, path, problems, "version", "model", "messages", "max_output_tokens", "temperature");
        return new PromptVersionOptions
        {
            Version = section["version"] ?? string.Empty,
            Model = section["model"] ?? string.Empty,
            Messages = [.. Items(section.GetSection("messages")).Select((m, i) => Message(m, $"{path}.messages[{i}]", problems))],
            MaxOutputTokens = Int(section, "max_output_tokens", path, problems),
            Temperature = Double(section, "temperature", path, problems),
        };
    }

    private static PromptMessageOptions Message(IConfigurationSection section, string path, List<string> problems)
    {
        CheckKeys(section, path, problems, "role", "content");
        return new PromptMessageOptions { Role = section["role"] ?? "user", Content = section["content"] ?? string.Empty };
    }

    private static PromptLabelOptions Label(IConfigurationSection section, string path, List<string> problems)
    {
        if (section.Value is { } version)
        {
            return new PromptLabelOptions { Version = version };
        }

        CheckKeys(section, path, problems, "version", "weights", "sticky");
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var weight in section.GetSection("weights").GetChildren())
        {
            if (double.TryParse(weight.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                weights[weight.Key] = value;
            }
            else
            {
                problems.Add($"{path}.weights.{weight.Key}: '{weight.Value}' is not a number");
            }
        }

        return new PromptLabelOptions { Version = section["version"], Weights = weights, Sticky = section["sticky"] };
    }

    private static PromptDecoratorOptions Decorator(IConfigurationSection section, string path, List<string> problems)
    {
        CheckKeys(section, path, problems, "name", "tenants", "models", "position", "role", "content");
        return new PromptDecoratorOptions
        {
            Name = section["name"],
            Tenants = Strings(section.GetSection("tenants")),
            Models = Strings(section.GetSection("models")),
            Position = section["position"] ?? "prepend",
            Role = section["role"] ?? "system",
            Content = section["content"] ?? string.Empty,
        };
    }

    // A YAML list arrives as children keyed 0, 1, ...; keep their order.
    private static IEnumerable<IConfigurationSection> Items(IConfigurationSection section) =>
        section.GetChildren().OrderBy(static c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue);

    private static string[] Strings(IConfigurationSection section) =>
        section.Value is { } single ? [single] : [.. Items(section).Select(static c => c.Value ?? string.Empty)];

    private static int? Int(IConfigurationSection section, string key, string path, List<string> problems)
    {
        var text = section[key];
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problems.Add($"{path}.{key}: '{text}' is not an integer");
        return null;
    }

    private static double? Double(IConfigurationSection section, string key, string path, List<string> problems)
    {
        var text = section[key];
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problems.Add($"{path}.{key}: '{text}' is not a number");
        return null;
    }

    private static void CheckKeys(IConfigurationSection section, string path, List<string> problems, params string[] known)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.Ordinal))
            {
                problems.Add($"{path}.{child.Key}: unknown key (expected one of {string.Join(", ", known)})");
            }
        }
    }
}
