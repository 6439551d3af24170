namespace Mesh.Gateway.Tokenizers;

/// <summary>How special-token text (such as <c>&lt;|endoftext|&gt;</c>) in the input is treated, as tiktoken's
/// <c>allowed_special</c> and <c>disallowed_special</c> arguments.</summary>
/// <remarks>
/// The default value is tiktoken's default (<c>allowed_special=set(), disallowed_special="all"</c>): any special-token
/// text is an error. Allowed special tokens encode to their id; special tokens that are neither allowed nor disallowed
/// encode as ordinary text.
/// </remarks>
public readonly struct SpecialTokenPolicy : IEquatable<SpecialTokenPolicy>
{
    private SpecialTokenPolicy(bool allowAll, bool othersAsText, string[]? allowed)
    {
        AllowsAll = allowAll;
        OthersAsText = othersAsText;
        _allowed = allowed;
    }

    private readonly string[]? _allowed;

    /// <summary>Any special-token text is an error (tiktoken's default).</summary>
    public static SpecialTokenPolicy DisallowAll => default;

    /// <summary>Every special token of the encoding is recognised (<c>allowed_special="all"</c>).</summary>
    public static SpecialTokenPolicy AllowAll { get; } = new(allowAll: true, othersAsText: false, allowed: null);

    /// <summary>Special-token text is ordinary text (<c>encode_ordinary</c>, or <c>disallowed_special=()</c>).</summary>
    public static SpecialTokenPolicy AsText { get; } = new(allowAll: false, othersAsText: true, allowed: null);

    /// <summary>Recognises the named special tokens; any other special-token text is an error, or ordinary text
    /// when <paramref name="othersAsText"/> is set.</summary>
    public static SpecialTokenPolicy Allow(IEnumerable<string> tokens, bool othersAsText = false)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return new(allowAll: false, othersAsText, tokens.ToArray());
    }

    /// <summary>Whether every special token is allowed.</summary>
    public bool AllowsAll { get; }

    /// <summary>Whether special tokens that are not allowed are ordinary text (rather than an error).</summary>
    public bool OthersAsText { get; }

    /// <summary>Whether this special token is recognised.</summary>
    public bool IsAllowed(string token) => AllowsAll || (_allowed is not null && Array.IndexOf(_allowed, token) >= 0);

    internal bool MayRecognise => AllowsAll || _allowed is { Length: > 0 };

    internal bool MayFail => !AllowsAll && !OthersAsText;

    /// <inheritdoc />
    public bool Equals(SpecialTokenPolicy other) =>
        AllowsAll == other.AllowsAll && OthersAsText == other.OthersAsText && ReferenceEquals(_allowed, other._allowed);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SpecialTokenPolicy other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(AllowsAll, OthersAsText, _allowed);

    /// <summary>Compares two policies.</summary>
    public static bool operator ==(SpecialTokenPolicy left, SpecialTokenPolicy right) => left.Equals(right);

    /// <summary>Compares two policies.</summary>
    public static bool operator !=(SpecialTokenPolicy left, SpecialTokenPolicy right) => !left.Equals(right);
}
