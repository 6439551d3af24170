using System.Text;

namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>Expands <c>${NAME}</c> and <c>${NAME:-default}</c> in a scalar value; <c>$${</c> stands for a literal <c>${</c>.</summary>
internal static class EnvironmentSubstitution
{
    /// <summary>Expands the references in <paramref name="value"/>, or returns an error naming what is wrong.</summary>
    public static bool TryExpand(string value, Func<string, string?> lookup, out string expanded, out string? error)
    {
        error = null;
        if (!value.Contains("${", StringComparison.Ordinal))
        {
            expanded = value;
            return true;
        }

        var builder = new StringBuilder(value.Length);
        var i = 0;
        while (i < value.Length)
        {
            if (value[i] == '$' && i + 2 < value.Length && value[i + 1] == '$' && value[i + 2] == '{')
            {
                builder.Append("${");
                i += 3;
                continue;
            }

            if (value[i] != '$' || i + 1 >= value.Length || value[i + 1] != '{')
            {
                builder.Append(value[i]);
                i++;
                continue;
            }

            var close = value.IndexOf('}', i + 2);
            if (close < 0)
            {
                expanded = value;
                error = $"unterminated '${{' in \"{value}\"";
                return false;
            }

            var body = value.AsSpan(i + 2, close - i - 2);
            var separator = body.IndexOf(":-", StringComparison.Ordinal);
            var name = (separator < 0 ? body : body[..separator]).ToString();
            string? fallback = separator < 0 ? null : body[(separator + 2)..].ToString();
            if (!IsValidName(name))
            {
                expanded = value;
                error = $"'${{{body}}}' is not a valid environment variable reference";
                return false;
            }

            var resolved = lookup(name);
            if (string.IsNullOrEmpty(resolved))
            {
                // ${NAME:-default} uses the default when NAME is unset or empty, as POSIX shells do.
                if (fallback is null)
                {
                    expanded = value;
                    error = $"environment variable {name} is not set and has no default (write ${{{name}:-default}} to give one)";
                    return false;
                }

                resolved = fallback;
            }

            builder.Append(resolved);
            i = close + 1;
        }

        expanded = builder.ToString();
        return true;
    }

    private static bool IsValidName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
