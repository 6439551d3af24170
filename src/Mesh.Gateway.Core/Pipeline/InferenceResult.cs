using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>The outcome of a call through the pipeline: an error, a whole chat response, a chat stream, or embeddings.</summary>
/// <remarks>
/// A step that needs to see the output wraps it: a whole response it may replace, a stream it may wrap in its own iterator
/// (whose <c>finally</c> runs when the door stops reading, so cancelled calls still settle).
/// </remarks>
public sealed class InferenceResult
{
    private InferenceResult(GatewayError? error, ChatResponse? response, IAsyncEnumerable<InferenceStreamItem>? stream, EmbeddingResponse? embeddings)
    {
        Error = error;
        Response = response;
        Stream = stream;
        Embeddings = embeddings;
    }

    public GatewayError? Error { get; }

    public ChatResponse? Response { get; }

    public IAsyncEnumerable<InferenceStreamItem>? Stream { get; }

    public EmbeddingResponse? Embeddings { get; }

    [MemberNotNullWhen(true, nameof(Error))]
    public bool IsError => Error is not null;

    public static InferenceResult Failure(GatewayError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(error, null, null, null);
    }

    public static InferenceResult FromResponse(ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new(null, response, null, null);
    }

    public static InferenceResult FromStream(IAsyncEnumerable<InferenceStreamItem> stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new(null, null, stream, null);
    }

    public static InferenceResult FromEmbeddings(EmbeddingResponse embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        return new(null, null, null, embeddings);
    }
}
