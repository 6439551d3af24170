using System.Text.Json.Nodes;

namespace Mesh.Gateway.Providers.Tests.Recorded;

/// <summary>One entry of Fixtures/expected/expected.json: a recording, how to replay it, and what it contains.</summary>
internal sealed record RecordedCase(string Fixture, string Replay, string Schema, int Status, JsonObject Expect, int Interaction, bool Stream)
{
    private static readonly Lazy<IReadOnlyDictionary<string, RecordedCase>> All = new(Load);

    public static IReadOnlyDictionary<string, RecordedCase> Cases => All.Value;

    private static Dictionary<string, RecordedCase> Load()
    {
        var doc = JsonNode.Parse(File.ReadAllText(Testing.RecordedFixtures.PathOf("expected/expected.json")))!;
        var result = new Dictionary<string, RecordedCase>(StringComparer.Ordinal);
        foreach (var c in doc["cases"]!.AsArray())
        {
            var fixture = (string)c!["fixture"]!;
            var interaction = (int?)c["interaction"] ?? 0;
            var key = interaction == 0 ? fixture : fixture + "#" + interaction;
            result[key] = new RecordedCase(
                fixture,
                (string)c["replay"]!,
                (string)c["schema"]!,
                (int)c["status"]!,
                c["expect"]!.AsObject(),
                interaction,
                (bool?)c["stream"] ?? false);
        }

        return result;
    }
}
