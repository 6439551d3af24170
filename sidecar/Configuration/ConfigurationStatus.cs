namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>The configuration in force and the last one refused, as <c>/readyz</c> and <c>POST /admin/reload</c> show them.</summary>
internal sealed record ConfigurationStatus
{
    /// <summary>The applied version: 1 at start, one more per applied reload.</summary>
    public required long Version { get; init; }

    /// <summary>The SHA-256 of the applied file's text (lower-case hex; what <c>sha256sum</c> prints); empty without a file.</summary>
    public required string Sha256 { get; init; }

    /// <summary>When it was applied.</summary>
    public required DateTimeOffset AppliedAt { get; init; }

    /// <summary>What changed in the file but is not in force until a restart (listen addresses, sections no feature reloads live).</summary>
    public IReadOnlyList<string> RestartRequired { get; init; } = [];

    /// <summary>The last file refused since this version was applied, or null.</summary>
    public RejectedConfiguration? Rejected { get; init; }
}
