namespace Mesh.Gateway.Tenancy.VirtualKeys;

/// <summary>The outcome of an admin change to a key: the key (and a new secret when one was issued), or why not.</summary>
public sealed record VirtualKeyChange
{
    public VirtualKeyIssued? Issued { get; init; }

    public VirtualKey? Key { get; init; }

    /// <summary>Why the change was refused (a message for the admin); null when it was made.</summary>
    public string? Error { get; init; }

    /// <summary>True when the error is that no key has the id.</summary>
    public bool NotFound { get; init; }

    public static VirtualKeyChange Fail(string error, bool notFound = false) => new() { Error = error, NotFound = notFound };
}
