using System.Text.Json.Serialization;

namespace Mesh.Gateway.Sidecar.Capture;

/// <summary>A capture as the Redis store keeps it (source-generated; unknown fields ignored, so sidecars of two versions share
/// one store).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CapturedCall))]
internal sealed partial class CaptureJsonContext : JsonSerializerContext;
