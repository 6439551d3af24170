using System.Text.Json.Serialization;

namespace Mesh.Gateway.Tenancy.Limits;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BudgetAlertPayload))]
internal sealed partial class BudgetAlertJsonContext : JsonSerializerContext;
