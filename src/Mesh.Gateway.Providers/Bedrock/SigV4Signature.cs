namespace Mesh.Gateway.Providers.Bedrock;

/// <summary>The intermediate and final values of one SigV4 signing (intermediates are kept for the test suite).</summary>
internal sealed record SigV4Signature(
    string CanonicalRequest,
    string StringToSign,
    string Signature,
    string Authorization,
    string AmzDate,
    string? PayloadHash);
