using System.Text.Json.Serialization;

namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>The admin API's bodies (source-generated: no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdminDtos.CreateKeyBody))]
[JsonSerializable(typeof(AdminDtos.RotateKeyBody))]
[JsonSerializable(typeof(AdminDtos.KeyView))]
[JsonSerializable(typeof(AdminDtos.KeyList))]
[JsonSerializable(typeof(AdminDtos.IssuedKey))]
[JsonSerializable(typeof(AdminDtos.CallList))]
[JsonSerializable(typeof(AdminDtos.Stats))]
[JsonSerializable(typeof(AdminDtos.SpendReport))]
[JsonSerializable(typeof(AdminDtos.ConfigView))]
[JsonSerializable(typeof(AdminDtos.Problem))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
