using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Sidecar.Capture;

/// <summary>The <c>capture:</c> section: opt-in capture of redacted prompts and answers for the console's call log. Off by default;
/// nothing is kept unless <see cref="Enabled"/>.</summary>
public sealed record CaptureOptions
{
    /// <summary>The section name.</summary>
    public const string SectionName = "capture";

    /// <summary>Keep the prompt as it went upstream (after the guardrails' redaction; placeholders stay placeholders) and the
    /// answer as the caller received it, keyed by the ledger record's call id. Never keys, never the unredacted text.</summary>
    public bool Enabled { get; set; }

    /// <summary>Where captures are kept.</summary>
    public CaptureStoreOptions Store { get; set; } = new();

    /// <summary>How long a capture is kept (<c>30m</c>, <c>24h</c>); past it the capture is gone (404).</summary>
    public string Retention { get; set; } = "24h";

    /// <summary>The most characters kept of a prompt and of an answer (each); the rest is cut and the capture says so.</summary>
    [ConfigurationKeyName("max_chars")]
    public int MaxChars { get; set; } = 8_000;

    /// <summary>Which admin credentials (<c>sha256:&lt;64 hex&gt;</c>, each also in <c>admin.credentials</c> or <c>admin.viewers</c>)
    /// may read captures; any other admin credential gets 403.</summary>
    public IReadOnlyList<string> Readers { get; set; } = [];

    /// <summary>Capture only these tenants' calls; empty: every tenant's.</summary>
    public IReadOnlyList<string> Tenants { get; set; } = [];
}

/// <summary><c>capture.store</c>: where captures are kept, bounded by entries and bytes (the oldest go first).</summary>
public sealed record CaptureStoreOptions
{
    /// <summary><c>memory</c>: this sidecar's own captures, lost on restart; <c>redis</c>: in <c>store.redis</c>, shared by every
    /// sidecar of the store (a capture made on one is read on another's console), each expiring after <c>capture.retention</c>.</summary>
    public string Kind { get; set; } = "memory";

    /// <summary>The most captures kept (with <c>redis</c>, by the whole fleet); beyond it the oldest is dropped.</summary>
    [ConfigurationKeyName("max_entries")]
    public int MaxEntries { get; set; } = 1_000;

    /// <summary>The most bytes (UTF-16, prompt and answer) kept; beyond it the oldest captures are dropped.</summary>
    [ConfigurationKeyName("max_bytes")]
    public long MaxBytes { get; set; } = 16L * 1024 * 1024;

    internal static bool IsMemory(string? kind) => string.Equals(kind, "memory", StringComparison.OrdinalIgnoreCase);

    internal static bool IsRedis(string? kind) => string.Equals(kind, "redis", StringComparison.OrdinalIgnoreCase);
}
