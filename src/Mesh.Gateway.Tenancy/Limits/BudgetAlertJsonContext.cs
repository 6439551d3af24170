using System.Text.Json.Serialization;

namespace Mesh.Gateway.Tenancy.Limits;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BudgetAlertPayload))]
internal sealed partial class BudgetAlertJsonContext : JsonSerializerContext;
