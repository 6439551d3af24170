using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Envoy.Configuration;

/// <summary>The <c>envoy:</c> section: how the sidecar answers Envoy's ext_authz and ext_proc.</summary>
public sealed record EnvoyOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "envoy";

    /// <summary>ext_proc dynamic metadata namespace for usage (must be in the filter's metadata_options.receiving_namespaces.untyped).</summary>
    [ConfigurationKeyName("metadata_namespace")]
    public string MetadataNamespace { get; set; } = "mesh.gateway";

    /// <summary>Header carrying the tenant id upstream (set by ext_authz, read by ext_proc).</summary>
    [ConfigurationKeyName("tenant_header")]
    public string TenantHeader { get; set; } = "x-mesh-tenant";

    /// <summary>Write ext_proc header values to raw_value (Envoy 1.28+, the default) or to value (older Envoys, or the send_header_raw_value guard off).</summary>
    [ConfigurationKeyName("header_value_field")]
    public string HeaderValueField { get; set; } = "raw_value";

    /// <summary>Largest request body parsed; a bigger one is refused with 413.</summary>
    [ConfigurationKeyName("max_request_body_bytes")]
    public int MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Force stream_options.include_usage on OpenAI streaming chat requests so streamed usage can be counted.</summary>
    [ConfigurationKeyName("force_stream_usage")]
    public bool ForceStreamUsage { get; set; } = true;

    /// <summary>Strip accept-encoding upstream so streamed bodies arrive readable (SSE cannot be inspected compressed).</summary>
    [ConfigurationKeyName("strip_accept_encoding")]
    public bool StripAcceptEncoding { get; set; } = true;

    /// <summary>Replace the app's gateway key with the provider key the gateway holds.</summary>
    [ConfigurationKeyName("credential_custody")]
    public bool CredentialCustody { get; set; } = true;

    /// <summary>Let ext_proc authenticate and apply credential custody itself, for deployments without ext_authz in front.
    /// When false, ext_proc takes the tenant from ext_authz (forwarded metadata, else the tenant header ext_authz overwrote).</summary>
    [ConfigurationKeyName("authenticate_in_ext_proc")]
    public bool AuthenticateInExtProc { get; set; }

    internal bool WriteRawValue => !string.Equals(HeaderValueField, "value", StringComparison.Ordinal);
}
