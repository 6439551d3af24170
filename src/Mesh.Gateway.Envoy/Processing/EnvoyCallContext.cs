using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Envoy.Http;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>The <see cref="InferenceContext"/> of a call through the Envoy door, as far as the door knows it: the call's start
/// (Check, or ext_proc's request headers), its API's operation, the model, the app's trace context.</summary>
internal static class EnvoyCallContext
{
    /// <summary>A call refused before the steps could run (Check, ext_proc's header phase, a body the door cannot read), for the
    /// telemetry step's <see cref="Core.Telemetry.InferenceTelemetryStep.RecordRefused"/>.</summary>
    public static InferenceContext Refused(ProviderApi? api, string? model, bool streaming, long started, IReadOnlyDictionary<string, string> headers, CallIdentity? identity)
    {
        model ??= string.Empty;
        var context = api?.Operation == "embeddings"
            ? InferenceContext.ForEmbeddings(new EmbeddingRequest { Model = model, Inputs = [] }, started)
            : InferenceContext.ForChat(new ChatRequest { Model = model, Messages = [] }, streaming, started);
        context.Source = InferenceSource.Envoy;
        context.Identity = identity;
        WithTraceParent(context, headers);
        return context;
    }

    /// <summary>Parents the call's span on the app's <c>traceparent</c>, when the request carries one.</summary>
    public static void WithTraceParent(InferenceContext context, IReadOnlyDictionary<string, string> headers)
    {
        var parent = EnvoyHeaders.TraceContext(headers);
        if (parent != default)
        {
            context.Properties.Set(InferencePropertyKeys.TraceParent, parent);
        }
    }
}
