using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Caching;

/// <summary>
/// Set by a door that forwards the request itself (the Envoy door), whose <see cref="InferenceContext.ChatRequest"/> carries
/// only the request's texts: a function giving the hash of the whole request body as the provider will see it (after the
/// guardrails). The response cache keys such calls by it, so two requests that differ in anything (tools, sampling,
/// response format, roles) never share an answer. Computed only when asked for.
/// </summary>
public static class RequestFingerprint
{
    /// <summary>The key under which the door keeps the function.</summary>
    public static readonly InferencePropertyKey<Func<string>> Key = new("mesh.request.fingerprint");
}
