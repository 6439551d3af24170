using System.Text.Json.Serialization;

namespace Mesh.Gateway.Providers.Bedrock;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BedrockConverseResponse))]
[JsonSerializable(typeof(BedrockStreamEvent))]
internal sealed partial class BedrockJsonContext : JsonSerializerContext;
