using System.Text.Json.Serialization;

namespace Mesh.Gateway.Tenancy.VirtualKeys;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VirtualKey))]
internal sealed partial class VirtualKeyJsonContext : JsonSerializerContext;
