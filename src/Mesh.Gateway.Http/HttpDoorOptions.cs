namespace Mesh.Gateway.Http;

/// <summary>The HTTP door's settings (<c>http:</c>); where it listens is the host's <c>listen.http</c>.</summary>
public sealed record HttpDoorOptions
{
    public const string SectionName = "http";

    /// <summary>The largest request body read, in bytes (<c>http.max_request_bytes</c>); a larger one is refused with 413.</summary>
    public long MaxRequestBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>What a request field the gateway cannot carry to every provider does (<c>http.unsupported_fields</c>):
    /// <c>reject</c> (400 naming the field, the default) or <c>drop</c> (the field is ignored).</summary>
    public string UnsupportedFields { get; init; } = "reject";

    /// <summary>True when unsupported fields are ignored rather than refused.</summary>
    public bool DropsUnsupportedFields => string.Equals(UnsupportedFields, "drop", StringComparison.OrdinalIgnoreCase);
}
