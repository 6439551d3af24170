using System.Text.Json.Serialization;

namespace Mesh.Gateway.Testing;

[JsonSerializable(typeof(string))]
internal sealed partial class TestingJsonContext : JsonSerializerContext;
