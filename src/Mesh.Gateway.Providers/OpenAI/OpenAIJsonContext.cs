using System.Text.Json.Serialization;

namespace Mesh.Gateway.Providers.OpenAI;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OpenAIChatCompletion))]
[JsonSerializable(typeof(OpenAIEmbeddingList))]
[JsonSerializable(typeof(OpenAIResponse))]
[JsonSerializable(typeof(OpenAIResponseEvent))]
internal sealed partial class OpenAIJsonContext : JsonSerializerContext;
