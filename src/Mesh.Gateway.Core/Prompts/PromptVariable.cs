namespace Mesh.Gateway.Core.Prompts;

/// <summary>A compiled variable: its type, default (already typed) and, for a chained one, the prompt whose answer it takes.</summary>
internal sealed record PromptVariable(string Name, PromptVariableType Type, PromptValue? Default, IReadOnlyList<string> Values, string? From, string? FromLabel)
{
    public bool IsChained => From is not null;

    public bool IsRequired => Default is null && !IsChained;

    /// <summary>Null when <paramref name="value"/> fits; else what is wrong, for the error (never the value itself).</summary>
    public string? Check(PromptValue value) => Type switch
    {
        PromptVariableType.Text when value.Kind != PromptValueKind.Text => $"must be a string (was a {Describe(value.Kind)})",
        PromptVariableType.Number when value.Kind != PromptValueKind.Number => $"must be a number (was a {Describe(value.Kind)})",
        PromptVariableType.Number when !double.IsFinite(value.Number) => "must be a finite number",
        PromptVariableType.Boolean when value.Kind != PromptValueKind.Boolean => $"must be a boolean (was a {Describe(value.Kind)})",
        PromptVariableType.Enum when value.Kind != PromptValueKind.Text => $"must be one of {string.Join(", ", Values)} (was a {Describe(value.Kind)})",
        PromptVariableType.Enum when !Values.Contains(value.Text!, StringComparer.Ordinal) => $"must be one of {string.Join(", ", Values)}",
        _ => null,
    };

    private static string Describe(PromptValueKind kind) => kind switch
    {
        PromptValueKind.Number => "number",
        PromptValueKind.Boolean => "boolean",
        _ => "string",
    };
}
