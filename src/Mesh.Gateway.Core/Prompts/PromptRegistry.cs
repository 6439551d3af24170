using System.Globalization;
using System.Text.RegularExpressions;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>The prompt templates and decorators, compiled once from <see cref="PromptsOptions"/>: an immutable snapshot.</summary>
/// <remarks>Thread-safe. A reload builds a new registry; nothing here changes after <see cref="Create"/>.</remarks>
public sealed partial class PromptRegistry
{
    /// <summary>The most prompts one call may run, the called one included (a chain <c>a ← b ← c ← d</c> is 4).</summary>
    public const int MaxChainLength = 4;

    private readonly Dictionary<string, PromptTemplate> _templates;

    private PromptRegistry(Dictionary<string, PromptTemplate> templates, IReadOnlyList<PromptDecorator> decorators)
    {
        _templates = templates;
        Decorators = decorators;
    }

    /// <summary>The template names, in configuration order.</summary>
    public IReadOnlyList<string> Names => [.. _templates.Keys];

    internal IReadOnlyList<PromptDecorator> Decorators { get; }

    internal PromptTemplate? Find(string name) => _templates.GetValueOrDefault(name);

    /// <summary>Compiles <paramref name="options"/>; throws with every problem when it is invalid (the validator reports them at start first).</summary>
    public static PromptRegistry Create(PromptsOptions options)
    {
        var registry = TryCreate(options, out var errors);
        return registry ?? throw new InvalidOperationException(string.Join("; ", errors));
    }

    /// <summary>Compiles <paramref name="options"/>, or returns null with one error per problem, each naming its key path.</summary>
    public static PromptRegistry? TryCreate(PromptsOptions options, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var templates = new Dictionary<string, PromptTemplate>(StringComparer.Ordinal);
        for (var i = 0; i < options.Templates.Count; i++)
        {
            var path = $"prompts.templates[{i}]";
            var template = CompileTemplate(options.Templates[i], path, problems);
            if (template is null)
            {
                continue;
            }

            if (!templates.TryAdd(template.Name, template))
            {
                problems.Add($"{path}.name: '{template.Name}' is defined twice");
            }
        }

        CheckChains(options, templates, problems);
        var decorators = new List<PromptDecorator>();
        for (var i = 0; i < options.Decorators.Count; i++)
        {
            if (CompileDecorator(options.Decorators[i], $"prompts.decorators[{i}]", problems) is { } decorator)
            {
                decorators.Add(decorator);
            }
        }

        errors = problems;
        return problems.Count == 0 ? new PromptRegistry(templates, decorators) : null;
    }

    private static PromptTemplate? CompileTemplate(PromptTemplateOptions options, string path, List<string> problems)
    {
        var before = problems.Count;
        if (!Name().IsMatch(options.Name))
        {
            problems.Add($"{path}.name: '{options.Name}' must be lower-case letters, digits, '-', '_' or '.', starting with a letter or digit");
        }

        var variables = new Dictionary<string, PromptVariable>(StringComparer.Ordinal);
        for (var i = 0; i < options.Variables.Count; i++)
        {
            var variable = CompileVariable(options.Variables[i], $"{path}.variables[{i}]", problems);
            if (variable is not null && !variables.TryAdd(variable.Name, variable))
            {
                problems.Add($"{path}.variables[{i}].name: '{variable.Name}' is declared twice");
            }
        }

        if (options.Versions.Count == 0)
        {
            problems.Add($"{path}.versions: at least one version is required");
        }

        var versions = new List<PromptVersion>();
        for (var i = 0; i < options.Versions.Count; i++)
        {
            var version = CompileVersion(options.Versions[i], $"{path}.versions[{i}]", variables, problems);
            if (version is null)
            {
                continue;
            }

            if (versions.Any(v => v.Id == version.Id))
            {
                problems.Add($"{path}.versions[{i}].version: '{version.Id}' is defined twice");
            }

            versions.Add(version);
        }

        var labels = new Dictionary<string, PromptLabel>(StringComparer.Ordinal);
        foreach (var (name, label) in options.Labels)
        {
            if (CompileLabel(name, label, $"{path}.labels.{name}", versions, problems) is { } compiled)
            {
                labels[name] = compiled;
            }
        }

        return problems.Count == before ? new PromptTemplate(options.Name, variables, versions, labels) : null;
    }

    private static PromptVariable? CompileVariable(PromptVariableOptions options, string path, List<string> problems)
    {
        var before = problems.Count;
        if (!Identifier().IsMatch(options.Name))
        {
            problems.Add($"{path}.name: '{options.Name}' must be a letter or '_' then letters, digits or '_'");
        }

        PromptVariableType? type = options.Type switch
        {
            "string" => PromptVariableType.Text,
            "number" => PromptVariableType.Number,
            "boolean" => PromptVariableType.Boolean,
            "enum" => PromptVariableType.Enum,
            _ => null,
        };
        if (type is null)
        {
            problems.Add($"{path}.type: '{options.Type}' is not one of string, number, boolean, enum");
            return null;
        }

        if (type == PromptVariableType.Enum && options.Values.Count == 0)
        {
            problems.Add($"{path}.values: an enum needs its values");
        }

        if (type != PromptVariableType.Enum && options.Values.Count > 0)
        {
            problems.Add($"{path}.values: only an enum has values");
        }

        if (options.From is not null)
        {
            if (type != PromptVariableType.Text)
            {
                problems.Add($"{path}.type: a variable taken from another prompt is a string");
            }

            if (options.Default is not null)
            {
                problems.Add($"{path}.default: a variable taken from another prompt has no default");
            }
        }
        else if (options.FromLabel is not null)
        {
            problems.Add($"{path}.from_label: needs 'from'");
        }

        PromptValue? value = null;
        if (options.Default is { } text)
        {
            value = type switch
            {
                PromptVariableType.Number => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? PromptValue.FromNumber(n) : null,
                PromptVariableType.Boolean => bool.TryParse(text, out var b) ? PromptValue.FromBoolean(b) : null,
                _ => PromptValue.FromString(text),
            };
            if (value is null)
            {
                problems.Add($"{path}.default: '{text}' is not a {options.Type}");
            }
            else if (type == PromptVariableType.Enum && !options.Values.Contains(text, StringComparer.Ordinal))
            {
                problems.Add($"{path}.default: '{text}' is not one of the values");
            }
        }

        return problems.Count == before ? new PromptVariable(options.Name, type.Value, value, options.Values, options.From, options.FromLabel) : null;
    }

    private static PromptVersion? CompileVersion(PromptVersionOptions options, string path, Dictionary<string, PromptVariable> variables, List<string> problems)
    {
        var before = problems.Count;
        if (string.IsNullOrWhiteSpace(options.Version))
        {
            problems.Add($"{path}.version: is required");
        }

        if (string.IsNullOrWhiteSpace(options.Model))
        {
            problems.Add($"{path}.model: is required");
        }

        if (options.Messages.Count == 0)
        {
            problems.Add($"{path}.messages: at least one message is required");
        }

        if (options.MaxOutputTokens is <= 0)
        {
            problems.Add($"{path}.max_output_tokens: must be positive");
        }

        if (options.Temperature is < 0 or > 2)
        {
            problems.Add($"{path}.temperature: must be in [0, 2]");
        }

        var messages = new List<(ChatRole, PromptText)>();
        for (var i = 0; i < options.Messages.Count; i++)
        {
            var message = options.Messages[i];
            ChatRole? role = message.Role switch
            {
                "system" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                _ => null,
            };
            if (role is null)
            {
                problems.Add($"{path}.messages[{i}].role: '{message.Role}' is not one of system, user, assistant");
                continue;
            }

            var text = PromptText.Parse(message.Content);
            foreach (var name in text.Variables.Where(n => !variables.ContainsKey(n)))
            {
                problems.Add($"{path}.messages[{i}].content: '{{{{{name}}}}}' names no declared variable");
            }

            messages.Add((role.Value, text));
        }

        return problems.Count == before ? new PromptVersion(options.Version, options.Model, messages, options.MaxOutputTokens, options.Temperature) : null;
    }

    private static PromptLabel? CompileLabel(string name, PromptLabelOptions options, string path, List<PromptVersion> versions, List<string> problems)
    {
        PromptSticky? sticky = options.Sticky switch
        {
            null or "key" => PromptSticky.Key,
            "tenant" => PromptSticky.Tenant,
            "random" => PromptSticky.Random,
            _ => null,
        };
        if (sticky is null)
        {
            problems.Add($"{path}.sticky: '{options.Sticky}' is not one of key, tenant, random");
            return null;
        }

        if ((options.Version is null) == (options.Weights.Count == 0))
        {
            problems.Add($"{path}: give either a version or weights");
            return null;
        }

        if (options.Version is { } id)
        {
            var version = versions.FirstOrDefault(v => v.Id == id);
            if (version is null)
            {
                problems.Add($"{path}: version '{id}' is not defined");
                return null;
            }

            return new PromptLabel(name, [(version, 1.0)], sticky.Value);
        }

        var total = options.Weights.Values.Sum();
        var split = new List<(PromptVersion, double)>();
        var cumulative = 0.0;
        var before = problems.Count;
        foreach (var (id2, weight) in options.Weights)
        {
            var version = versions.FirstOrDefault(v => v.Id == id2);
            if (version is null)
            {
                problems.Add($"{path}.weights.{id2}: version '{id2}' is not defined");
                continue;
            }

            if (weight <= 0 || !double.IsFinite(weight))
            {
                problems.Add($"{path}.weights.{id2}: must be positive");
                continue;
            }

            cumulative += weight / total;
            split.Add((version, cumulative));
        }

        if (problems.Count != before)
        {
            return null;
        }

        // Rounding must not leave a sliver past the last version.
        split[^1] = (split[^1].Item1, 1.0);
        return new PromptLabel(name, split, sticky.Value);
    }

    private static PromptDecorator? CompileDecorator(PromptDecoratorOptions options, string path, List<string> problems)
    {
        var before = problems.Count;
        if (string.IsNullOrWhiteSpace(options.Content))
        {
            problems.Add($"{path}.content: is required");
        }

        var append = options.Position switch
        {
            "prepend" => false,
            "append" => true,
            _ => (bool?)null,
        };
        if (append is null)
        {
            problems.Add($"{path}.position: '{options.Position}' is not one of prepend, append");
        }

        ChatRole? role = options.Role switch
        {
            "system" => ChatRole.System,
            "user" => ChatRole.User,
            _ => null,
        };
        if (role is null)
        {
            problems.Add($"{path}.role: '{options.Role}' is not one of system, user");
        }

        return problems.Count == before
            ? new PromptDecorator(options.Tenants, options.Models, append!.Value, new ChatMessage { Role = role!.Value, Content = [new TextContentPart(options.Content)] })
            : null;
    }

    // Every chained variable names a template; no chain loops back or runs longer than MaxChainLength; a variable the caller
    // gives is passed to every prompt of the chain that declares it, so those declarations must agree on the type.
    private static void CheckChains(PromptsOptions options, Dictionary<string, PromptTemplate> templates, List<string> problems)
    {
        for (var i = 0; i < options.Templates.Count; i++)
        {
            if (!templates.TryGetValue(options.Templates[i].Name, out var template))
            {
                continue;
            }

            foreach (var variable in template.Variables.Values.Where(static v => v.IsChained))
            {
                var index = options.Templates[i].Variables.ToList().FindIndex(v => v.Name == variable.Name);
                var path = $"prompts.templates[{i}].variables[{index}]";
                if (!templates.TryGetValue(variable.From!, out var source))
                {
                    problems.Add($"{path}.from: prompt '{variable.From}' is not defined");
                }
                else if (variable.FromLabel is { } label && !source.Labels.ContainsKey(label))
                {
                    problems.Add($"{path}.from_label: prompt '{variable.From}' has no label '{label}'");
                }
            }
        }

        foreach (var template in templates.Values)
        {
            var chain = new List<string>();
            if (Walk(template, templates, chain, problems) is { } error)
            {
                problems.Add(error);
                continue;
            }

            var types = new Dictionary<string, (PromptVariableType Type, string Prompt)>(StringComparer.Ordinal);
            foreach (var name in chain.Distinct(StringComparer.Ordinal))
            {
                foreach (var variable in templates[name].Variables.Values.Where(static v => !v.IsChained))
                {
                    if (types.TryGetValue(variable.Name, out var seen) && (seen.Type != variable.Type))
                    {
                        problems.Add($"prompts.templates: variable '{variable.Name}' is a {variable.Type.ToString().ToLowerInvariant()} in '{name}' but a {seen.Type.ToString().ToLowerInvariant()} in '{seen.Prompt}', which '{template.Name}' chains");
                    }

                    types.TryAdd(variable.Name, (variable.Type, name));
                }
            }
        }
    }

    // Depth-first along the chained variables; returns the first cycle or over-long chain found.
    private static string? Walk(PromptTemplate template, Dictionary<string, PromptTemplate> templates, List<string> chain, List<string> problems, int depth = 1, List<string>? path = null)
    {
        path ??= [];
        if (path.Contains(template.Name, StringComparer.Ordinal))
        {
            return $"prompts.templates: '{template.Name}' chains back to itself ({string.Join(" ← ", path.Append(template.Name))})";
        }

        if (depth > MaxChainLength)
        {
            return $"prompts.templates: the chain {string.Join(" ← ", path.Append(template.Name))} is longer than {MaxChainLength} prompts";
        }

        path.Add(template.Name);
        chain.Add(template.Name);
        foreach (var variable in template.Variables.Values.Where(static v => v.IsChained))
        {
            if (templates.TryGetValue(variable.From!, out var source) && Walk(source, templates, chain, problems, depth + 1, path) is { } error)
            {
                return error;
            }
        }

        path.RemoveAt(path.Count - 1);
        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Name();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
