using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>A tenant's <c>limits:</c>: the tenant's own, each key's, and per model (also per key and model).</summary>
public sealed record TenantLimitsOptions
{
    [ConfigurationKeyName("requests_per_second")]
    public long? RequestsPerSecond { get; set; }

    [ConfigurationKeyName("requests_per_minute")]
    public long? RequestsPerMinute { get; set; }

    [ConfigurationKeyName("tokens_per_minute")]
    public long? TokensPerMinute { get; set; }

    [ConfigurationKeyName("concurrent_streams")]
    public long? ConcurrentStreams { get; set; }

    [ConfigurationKeyName("on_store_failure")]
    public string? OnStoreFailure { get; set; }

    /// <summary>Limits each key (or JWT subject) of the tenant gets on its own.</summary>
    [ConfigurationKeyName("per_key")]
    public LimitSetOptions? PerKey { get; set; }

    /// <summary>Limits per model name, for the tenant as a whole.</summary>
    public IReadOnlyDictionary<string, LimitSetOptions> Models { get; set; } = new Dictionary<string, LimitSetOptions>();

    /// <summary>Limits per published prompt name, for the tenant as a whole (on top of its prompt's model's).</summary>
    public IReadOnlyDictionary<string, LimitSetOptions> Prompts { get; set; } = new Dictionary<string, LimitSetOptions>();

    /// <summary>Limits per model name, for each key on its own.</summary>
    [ConfigurationKeyName("per_key_models")]
    public IReadOnlyDictionary<string, LimitSetOptions> PerKeyModels { get; set; } = new Dictionary<string, LimitSetOptions>();

    internal LimitSetOptions Own => new()
    {
        RequestsPerSecond = RequestsPerSecond,
        RequestsPerMinute = RequestsPerMinute,
        TokensPerMinute = TokensPerMinute,
        ConcurrentStreams = ConcurrentStreams,
        OnStoreFailure = OnStoreFailure,
    };
}
