using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>The outcome of a call through the pipeline: an error, a whole chat response, a chat stream, or embeddings.</summary>
/// <remarks>
/// A step that needs to see the output wraps it: a whole response it may replace; a stream it gives a stage
/// (<see cref="WithStage"/>: run item by item in one loop with the other steps' stages, ended once whichever way the stream
/// ends, so cancelled calls still settle), or, where it must await per item, wraps in its own iterator.
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

    /// <summary>This streamed result with <paramref name="stage"/> run on each item after the stages already added (a step's
    /// per-call work on the stream, run in one loop with the other steps' stages: <see cref="IInferenceStreamStage"/>).</summary>
    /// <param name="stage">The step's stage for this call.</param>
    /// <param name="cancellationToken">The call's token, passed to the source when the door reads the stream without one.</param>
    public InferenceResult WithStage(IInferenceStreamStage stage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stage);
        if (Stream is null)
        {
            throw new InvalidOperationException("Only a streamed result takes a stream stage.");
        }

        return new(null, null, InferenceStagedStream.Create(Stream, stage, cancellationToken), null);
    }

    public static InferenceResult FromEmbeddings(EmbeddingResponse embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        return new(null, null, null, embeddings);
    }
}
