namespace Mesh.Gateway.Core.Prompts;

/// <summary>Name patterns as the access rules write them: exact, a prefix ending in <c>*</c>, or <c>*</c>.</summary>
public static class PromptNames
{
    public static bool Matches(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        return pattern == "*"
            || string.Equals(pattern, name, StringComparison.Ordinal)
            || (pattern.EndsWith('*') && name.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal));
    }
}
