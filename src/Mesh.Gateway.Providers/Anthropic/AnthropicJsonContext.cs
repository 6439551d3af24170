using System.Text.Json.Serialization;

namespace Mesh.Gateway.Providers.Anthropic;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AnthropicMessage))]
[JsonSerializable(typeof(AnthropicEvent))]
internal sealed partial class AnthropicJsonContext : JsonSerializerContext;
