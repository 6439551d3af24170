using System.Text.Json.Serialization;

namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>The admin API's bodies (source-generated: no reflection). A field the API does not know is refused (400 naming it),
/// never ignored: a misspelled <c>request_per_minute</c> must not create a key that looks limited and is not. (The key store's
/// own JSON, <c>VirtualKeyJsonContext</c>, ignores unknown fields, so sidecars of two versions share one store.)</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(AdminDtos.CreateKeyBody))]
[JsonSerializable(typeof(AdminDtos.UpdateKeyBody))]
[JsonSerializable(typeof(AdminDtos.RotateKeyBody))]
[JsonSerializable(typeof(AdminDtos.KeyView))]
[JsonSerializable(typeof(AdminDtos.KeyList))]
[JsonSerializable(typeof(AdminDtos.IssuedKey))]
[JsonSerializable(typeof(AdminDtos.CallList))]
[JsonSerializable(typeof(AdminDtos.Stats))]
[JsonSerializable(typeof(AdminDtos.SpendReport))]
[JsonSerializable(typeof(AdminDtos.ConfigView))]
[JsonSerializable(typeof(AdminDtos.Problem))]
[JsonSerializable(typeof(AdminDtos.WhoAmI))]
[JsonSerializable(typeof(Mesh.Gateway.Sidecar.Capture.CapturedCall))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
