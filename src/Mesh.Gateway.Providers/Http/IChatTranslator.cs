using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Providers.Http;

/// <summary>Translates one chat call between the unified model and one provider's schema. One instance per request (it keeps stream state).</summary>
internal interface IChatTranslator
{
    StreamFraming Framing { get; }

    /// <summary>True once the stream's terminal event was seen (a body that ends before it was truncated).</summary>
    bool IsComplete { get; }

    ProviderHttpRequest CreateRequest(ChatRequest request, ProviderTarget target, bool stream);

    ProviderResult<ChatResponse> ParseResponse(ReadOnlySpan<byte> body, string provider);

    /// <summary>Translates one stream event into zero or more chunks; returns the error when the event is (or carries) one.</summary>
    ProviderError? TranslateEvent(string? eventType, ReadOnlySpan<byte> data, List<ChatChunk> output);
}
