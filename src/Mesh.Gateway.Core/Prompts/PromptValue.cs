using System.Globalization;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>A variable's value as the caller typed it: a string, a number or a boolean (a door maps its wire types onto these).</summary>
public readonly record struct PromptValue
{
    private PromptValue(PromptValueKind kind, string? text, double number, bool boolean)
    {
        Kind = kind;
        Text = text;
        Number = number;
        Boolean = boolean;
    }

    public PromptValueKind Kind { get; }

    public string? Text { get; }

    public double Number { get; }

    public bool Boolean { get; }

    public static PromptValue FromString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(PromptValueKind.Text, text, 0, false);
    }

    public static PromptValue FromNumber(double number) => new(PromptValueKind.Number, null, number, false);

    public static PromptValue FromBoolean(bool value) => new(PromptValueKind.Boolean, null, 0, value);

    /// <summary>The text put in place of the placeholder (numbers in invariant culture, booleans as <c>true</c>/<c>false</c>).</summary>
    public string Render() => Kind switch
    {
        PromptValueKind.Number => Number.ToString(CultureInfo.InvariantCulture),
        PromptValueKind.Boolean => Boolean ? "true" : "false",
        _ => Text ?? string.Empty,
    };

    public override string ToString() => Render();
}
