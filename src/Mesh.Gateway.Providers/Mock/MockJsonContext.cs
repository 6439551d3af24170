using System.Text.Json.Serialization;

namespace Mesh.Gateway.Providers.Mock;

[JsonSerializable(typeof(string))]
internal sealed partial class MockJsonContext : JsonSerializerContext;
