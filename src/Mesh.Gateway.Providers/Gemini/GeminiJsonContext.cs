using System.Text.Json.Serialization;

namespace Mesh.Gateway.Providers.Gemini;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(GeminiResponse))]
internal sealed partial class GeminiJsonContext : JsonSerializerContext;
