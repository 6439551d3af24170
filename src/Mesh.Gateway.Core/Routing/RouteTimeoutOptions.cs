using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Core.Routing;

/// <summary>How long the router waits. Connecting is bounded per provider (<c>providers[].connect_timeout_ms</c>).</summary>
public sealed record RouteTimeoutOptions
{
    /// <summary>Streamed calls: the longest one attempt may take to produce its first output token before the router fails over.</summary>
    [ConfigurationKeyName("first_token_ms")]
    public int FirstTokenMs { get; set; } = 30_000;

    /// <summary>The whole call, every attempt and the full stream included.</summary>
    [ConfigurationKeyName("total_ms")]
    public int TotalMs { get; set; } = 600_000;
}
