namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>The <c>admin:</c> section: who may use the console and the admin API.</summary>
public sealed record AdminOptions
{
    /// <summary>The section name.</summary>
    public const string SectionName = "admin";

    /// <summary>Admin credentials as <c>sha256:&lt;64 hex&gt;</c> of the token a person presents (<c>Authorization: Bearer TOKEN</c>);
    /// with none, the console and the admin API refuse every request (the probes and <c>/metrics</c> need none).</summary>
    public IReadOnlyList<string> Credentials { get; set; } = [];

    /// <summary>Read-only credentials (<c>sha256:&lt;64 hex&gt;</c>, the <c>viewer</c> role): the charts, the call log, spend and the
    /// configuration in force; not key management, and captures only when also in <c>capture.readers</c>. Anything else is 403.</summary>
    public IReadOnlyList<string> Viewers { get; set; } = [];

    /// <summary>How many recent calls this sidecar keeps for the console's call log and charts.</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("recent_calls")]
    public int RecentCalls { get; set; } = 10_000;
}
