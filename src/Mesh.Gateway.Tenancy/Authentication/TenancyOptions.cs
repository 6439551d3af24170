using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>The <c>tenants:</c> and <c>auth:</c> sections: who may call, and how they prove it.</summary>
public sealed record TenancyOptions
{
    /// <summary>The tenants, each with its keys and what it may use.</summary>
    public IReadOnlyList<TenantOptions> Tenants { get; init; } = [];

    /// <summary>JWT validation; null when bearer JWTs are not accepted.</summary>
    public JwtOptions? Jwt { get; init; }

    /// <summary>mTLS identity settings.</summary>
    public MtlsOptions Mtls { get; init; } = new();

    /// <summary>Headers an app may carry its gateway key in (lower-case). All of them are removed before the request goes upstream.</summary>
    [ConfigurationKeyName("gateway_key_headers")]
    public IReadOnlyList<string> GatewayKeyHeaders { get; init; } = DefaultGatewayKeyHeaders;

    /// <summary>authorization (Bearer, OpenAI), x-api-key (Anthropic), api-key (Azure), x-goog-api-key (Gemini).</summary>
    public static IReadOnlyList<string> DefaultGatewayKeyHeaders { get; } = ["authorization", "x-api-key", "api-key", "x-goog-api-key"];
}
