namespace Mesh.Gateway.FunctionalTests.Parity;

/// <summary>The columns of the door-parity matrix.</summary>
public static class Doors
{
    /// <summary>Every door: the typed gRPC API (whole and streamed) and the Envoy door in each wire schema the fakes speak.</summary>
    public static IReadOnlyList<IDoor> All { get; } =
    [
        new GrpcDoor(streams: false),
        new GrpcDoor(streams: true),
        new EnvoyDoor(EnvoyDoor.Schema.OpenAI, streams: false),
        new EnvoyDoor(EnvoyDoor.Schema.OpenAI, streams: true),
        new EnvoyDoor(EnvoyDoor.Schema.Anthropic, streams: false),
        new EnvoyDoor(EnvoyDoor.Schema.Gemini, streams: false),
        new EnvoyDoor(EnvoyDoor.Schema.Anthropic, streams: true),
        new EnvoyDoor(EnvoyDoor.Schema.Gemini, streams: true),
        new EnvoyDoor(EnvoyDoor.Schema.Responses, streams: true),
    ];

    /// <summary>The doors whose caller reads a stream (rows about a stream cut mid-way).</summary>
    public static IEnumerable<IDoor> Streaming => All.Where(static d => d.Streams);

    /// <summary>The column index of <paramref name="door"/> (stable test case names).</summary>
    public static int IndexOf(IDoor door) => All.ToList().IndexOf(door);
}
