using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.Internal;

/// <summary>How one wire schema writes a chat answer: whole, or as its stream of events. One instance per call (it may keep
/// the stream's state: open blocks, ids).</summary>
internal interface IChatAnswer
{
    /// <summary>Writes a whole answer.</summary>
    Task WriteWholeAsync(HttpContext context, ChatResponse response, InferenceContext call);

    /// <summary>Writes the events of one chunk; a chunk with nothing to say writes nothing (the status is still open then).</summary>
    ValueTask DeltaAsync(SseWriter sse, ChatChunk chunk, InferenceContext call);

    /// <summary>Writes the end of the stream: the finish reason and the usage.</summary>
    ValueTask EndAsync(SseWriter sse, ChatFinishReason finish, string? providerFinish, ChatUsage usage, InferenceContext call);

    /// <summary>Ends a stream whose status is already sent with the schema's error event.</summary>
    ValueTask FailAsync(SseWriter sse, GatewayError error);
}
