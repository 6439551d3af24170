using System.Text;

namespace Mesh.Gateway.Guardrails;

/// <summary>
/// Holds the originals behind reversible-tokenization placeholders for one conversation:
/// the same value always gets the same placeholder (<c>[EMAIL_1]</c>), and <see cref="Restore"/> puts originals back.
/// </summary>
/// <remarks>Thread-safe. Lives as long as the request (or conversation) that created it; never persisted or logged.</remarks>
public sealed class GuardTokenVault
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _byValue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byPlaceholder = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);

    /// <summary>The longest placeholder handed out so far (streaming restore holds back at most this many characters).</summary>
    public int MaxPlaceholderLength { get; private set; }

    /// <summary>How many distinct values the vault holds.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byValue.Count;
            }
        }
    }

    /// <summary>Returns the placeholder for <paramref name="value"/> of entity <paramref name="type"/>, creating it on first use.</summary>
    public string GetOrAddPlaceholder(string type, string value)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(value);
        string key = type + "\u0000" + value;
        lock (_lock)
        {
            if (_byValue.TryGetValue(key, out string? existing))
            {
                return existing;
            }

            _counters.TryGetValue(type, out int n);
            n++;
            _counters[type] = n;
            string placeholder = "[" + type.ToUpperInvariant() + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
            _byValue[key] = placeholder;
            _byPlaceholder[placeholder] = value;
            MaxPlaceholderLength = Math.Max(MaxPlaceholderLength, placeholder.Length);
            return placeholder;
        }
    }

    /// <summary>Looks up the original behind a placeholder.</summary>
    public bool TryGetOriginal(ReadOnlySpan<char> placeholder, out string original)
    {
        lock (_lock)
        {
            var lookup = _byPlaceholder.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(placeholder, out string? value))
            {
                original = value;
                return true;
            }
        }

        original = string.Empty;
        return false;
    }

    /// <summary>Replaces every original the vault holds in <paramref name="text"/> with its placeholder (the reverse of
    /// <see cref="Restore"/>): for text kept after the call, which must never hold what the policy tokenized.</summary>
    public string Hide(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        KeyValuePair<string, string>[] pairs;
        lock (_lock)
        {
            if (_byPlaceholder.Count == 0)
            {
                return text;
            }

            pairs = [.. _byPlaceholder];
        }

        // Longest originals first, so one that contains another is hidden whole.
        Array.Sort(pairs, static (a, b) => b.Value.Length.CompareTo(a.Value.Length));
        foreach (var (placeholder, original) in pairs)
        {
            if (original.Length > 0)
            {
                text = text.Replace(original, placeholder, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Replaces every known placeholder in <paramref name="text"/> with its original.</summary>
    public string Restore(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int open = text.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        int copied = 0;
        while (open >= 0)
        {
            int len = Internal.PlaceholderSyntax.MatchLength(text.AsSpan(open));
            if (len > 0 && TryGetOriginal(text.AsSpan(open, len), out string original))
            {
                sb.Append(text, copied, open - copied).Append(original);
                copied = open + len;
                open = text.IndexOf('[', copied);
            }
            else
            {
                open = text.IndexOf('[', open + 1);
            }
        }

        return copied == 0 ? text : sb.Append(text, copied, text.Length - copied).ToString();
    }
}
