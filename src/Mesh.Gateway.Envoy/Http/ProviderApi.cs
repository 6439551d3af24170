using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Envoy.Http;

/// <summary>A recognised provider API call.</summary>
/// <param name="Provider">openai, azure-openai, anthropic or gemini (the kinds of the providers: section).</param>
/// <param name="Operation">chat, responses or embeddings.</param>
/// <param name="Schema">The body schema.</param>
/// <param name="PathModel">The model named in the path (Azure deployment, Gemini model), if any.</param>
/// <param name="PathStreaming">True when the path itself asks for a stream (Gemini streamGenerateContent).</param>
internal sealed record ProviderApi(string Provider, string Operation, ApiSchema Schema, string? PathModel, bool PathStreaming)
{
    /// <summary>Everything the door reads or writes in the body schema: texts, usage, stream events, error bodies.</summary>
    public IWireCodec Codec => WireCodecs.For(Schema);

    /// <summary>The header the provider reads its key from, and how the value is written.</summary>
    public (string Header, string Value) CredentialHeader(string key) => Provider switch
    {
        "azure-openai" => ("api-key", key),
        "anthropic" => ("x-api-key", key),
        "gemini" => ("x-goog-api-key", key),
        _ => ("authorization", "Bearer " + key),
    };
}
