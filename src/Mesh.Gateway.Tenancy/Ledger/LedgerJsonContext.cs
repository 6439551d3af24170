using System.Text.Json.Serialization;

namespace Mesh.Gateway.Tenancy.Ledger;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UsageRecord))]
internal sealed partial class LedgerJsonContext : JsonSerializerContext;
