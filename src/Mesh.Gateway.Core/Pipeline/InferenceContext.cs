using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Identity;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>The state of one call as it passes through the pipeline.</summary>
/// <remarks>
/// One instance per call, used by one step at a time (not thread-safe). Steps may replace the request (a redacted copy, say),
/// hand values on through <see cref="Properties"/>, and read what the router reports (<see cref="ServedTarget"/>, <see cref="Usage"/>).
/// </remarks>
public sealed class InferenceContext
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    private ChatRequest? _chatRequest;
    private EmbeddingRequest? _embeddingRequest;

    private InferenceContext(InferenceOperation operation, string model, bool isStreaming, long startTimestamp)
    {
        Operation = operation;
        Model = model;
        IsStreaming = isStreaming;
        StartTimestamp = startTimestamp;
    }

    /// <summary>A chat call.</summary>
    public static InferenceContext ForChat(ChatRequest request, bool isStreaming, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(timeProvider);
        return new InferenceContext(InferenceOperation.Chat, request.Model, isStreaming, timeProvider.GetTimestamp()) { _chatRequest = request };
    }

    /// <summary>A chat call that began at <paramref name="startTimestamp"/> (<see cref="TimeProvider.GetTimestamp"/>), before its
    /// context could be built (the Envoy door reads the request body after the headers started the call).</summary>
    public static InferenceContext ForChat(ChatRequest request, bool isStreaming, long startTimestamp)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new InferenceContext(InferenceOperation.Chat, request.Model, isStreaming, startTimestamp) { _chatRequest = request };
    }

    /// <summary>An embeddings call that began at <paramref name="startTimestamp"/> (see <see cref="ForChat(ChatRequest, bool, long)"/>).</summary>
    public static InferenceContext ForEmbeddings(EmbeddingRequest request, long startTimestamp)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new InferenceContext(InferenceOperation.Embeddings, request.Model, isStreaming: false, startTimestamp) { _embeddingRequest = request };
    }

    /// <summary>An embeddings call.</summary>
    public static InferenceContext ForEmbeddings(EmbeddingRequest request, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(timeProvider);
        return new InferenceContext(InferenceOperation.Embeddings, request.Model, isStreaming: false, timeProvider.GetTimestamp()) { _embeddingRequest = request };
    }

    public InferenceOperation Operation { get; }

    /// <summary>The model name the caller asked for (a routing-table name, not necessarily a provider's model).</summary>
    public string Model { get; }

    /// <summary>True for streamed chat calls.</summary>
    public bool IsStreaming { get; }

    /// <summary>Which door the call came through.</summary>
    public InferenceSource Source { get; set; }

    /// <summary>The caller's request metadata (gRPC metadata or HTTP headers), names in lower case; credentials included, so never log it.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; set; } = NoHeaders;

    /// <summary>Who is calling, once authentication (or the door) has resolved it; null when the gateway runs without tenants.</summary>
    public CallIdentity? Identity { get; set; }

    /// <summary>The caller's address, when known.</summary>
    public string? Peer { get; set; }

    /// <summary>A conversation or session id, for telemetry.</summary>
    public string? ConversationId { get; set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the call arrived.</summary>
    public long StartTimestamp { get; }

    /// <summary>The chat request (chat calls). A step may replace it; the model name must stay.</summary>
    public ChatRequest? ChatRequest
    {
        get => _chatRequest;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (Operation != InferenceOperation.Chat)
            {
                throw new InvalidOperationException("Not a chat call.");
            }

            _chatRequest = value;
        }
    }

    /// <summary>The embeddings request (embeddings calls). A step may replace it.</summary>
    public EmbeddingRequest? EmbeddingRequest
    {
        get => _embeddingRequest;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (Operation != InferenceOperation.Embeddings)
            {
                throw new InvalidOperationException("Not an embeddings call.");
            }

            _embeddingRequest = value;
        }
    }

    /// <summary>Values steps hand on to later steps.</summary>
    public InferenceProperties Properties { get; } = new();

    /// <summary>The target serving the call, set by the router before the first output (null when no target was reached).</summary>
    public ServedTarget? ServedTarget { get; set; }

    /// <summary>Upstream attempts made so far (retries and fallbacks included).</summary>
    public int Attempts { get; set; }

    /// <summary>Time from arrival to the first output token, set by the router when it arrives.</summary>
    public TimeSpan? TimeToFirstToken { get; set; }

    /// <summary>The usage the provider reported, set by the router when it arrives (the end of a stream, or with a whole response).</summary>
    public ChatUsage? Usage { get; set; }

    /// <summary>The price of <see cref="Usage"/>, when the served target has one configured.</summary>
    public InferenceCost? Cost { get; set; }
}
