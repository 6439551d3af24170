using System.Text;
using System.Text.RegularExpressions;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>Message text parsed once into literal runs and <c>{{variable}}</c> placeholders.</summary>
internal sealed partial class PromptText
{
    private readonly (string Literal, string? Variable)[] _parts;

    private PromptText((string, string?)[] parts, IReadOnlyList<string> variables)
    {
        _parts = parts;
        Variables = variables;
    }

    /// <summary>The variables the text names, in order of first use.</summary>
    public IReadOnlyList<string> Variables { get; }

    public static PromptText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<(string, string?)>();
        var names = new List<string>();
        var at = 0;
        foreach (Match match in Placeholder().Matches(text))
        {
            var name = match.Groups[1].Value;
            parts.Add((text[at..match.Index], name));
            if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }

            at = match.Index + match.Length;
        }

        parts.Add((text[at..], null));
        return new PromptText([.. parts], names);
    }

    public string Render(IReadOnlyDictionary<string, string> values)
    {
        var builder = new StringBuilder();
        foreach (var (literal, variable) in _parts)
        {
            builder.Append(literal);
            if (variable is not null)
            {
                builder.Append(values[variable]);
            }
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Placeholder();
}
