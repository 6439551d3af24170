using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>The <c>store:</c> section: where counters live. Without <c>redis</c> they live in this process.</summary>
public sealed record StoreOptions
{
    /// <summary><c>redis://[user:password@]host:port[/db]</c>, or <c>rediss://</c> for TLS.</summary>
    public string? Redis { get; set; }

    /// <summary>The default for limits that do not say: <c>open</c> (local fallback) or <c>closed</c> (refuse).</summary>
    [ConfigurationKeyName("on_store_failure")]
    public string OnStoreFailure { get; set; } = "open";

    [ConfigurationKeyName("connect_timeout_ms")]
    public int ConnectTimeoutMs { get; set; } = 2000;

    /// <summary>How long a limit check waits for Redis before the store counts as unavailable.</summary>
    [ConfigurationKeyName("command_timeout_ms")]
    public int CommandTimeoutMs { get; set; } = 1000;

    /// <summary>Prefix of every key the gateway writes.</summary>
    [ConfigurationKeyName("key_prefix")]
    public string KeyPrefix { get; set; } = "mesh";

    /// <summary>How long a concurrent-stream lease lives if its sidecar dies without releasing it.</summary>
    [ConfigurationKeyName("stream_lease_seconds")]
    public int StreamLeaseSeconds { get; set; } = 900;
}
