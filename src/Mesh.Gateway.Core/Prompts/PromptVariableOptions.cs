namespace Mesh.Gateway.Core.Prompts;

/// <summary>One variable of a template (<c>{{name}}</c> in its messages).</summary>
public sealed record PromptVariableOptions
{
    public string Name { get; init; } = string.Empty;

    /// <summary><c>string</c> (default), <c>number</c>, <c>boolean</c> or <c>enum</c>.</summary>
    public string Type { get; init; } = "string";

    /// <summary>The value used when the caller gives none; a variable without one is required.</summary>
    public string? Default { get; init; }

    /// <summary>The allowed values of an <c>enum</c>.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary>Chaining: the variable is the text another prompt answers (run first, as a call of its own).</summary>
    public string? From { get; init; }

    /// <summary>The label of <see cref="From"/> to run (its default when null).</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("from_label")]
    public string? FromLabel { get; init; }
}
