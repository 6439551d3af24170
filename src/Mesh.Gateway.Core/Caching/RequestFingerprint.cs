using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Caching;

/// <summary>
/// Set by a door that forwards the request itself (the Envoy door), whose <see cref="InferenceContext.ChatRequest"/> carries
/// only the request's texts: a function giving the hash of a request as the provider will see it, i.e. the body's other
/// fields (tools, sampling, response format) with the messages of the request given (the call's, as the steps before the cache
/// left them: redacted, tokenized, decorated; or those without the last user message, for a semantic partition). The response cache keys such calls by it, so two requests that differ in anything the provider sees never
/// share an answer, and two that differ only in what a guardrail redacted do. Computed only when asked for.
/// </summary>
public static class RequestFingerprint
{
    /// <summary>The key under which the door keeps the function.</summary>
    public static readonly InferencePropertyKey<Func<Chat.ChatRequest?, string>> Key = new("mesh.request.fingerprint");
}
