using System.Text.Json;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Http;

/// <summary>The recorded provider streams (Fixtures/raw-sse) the door can replay, with what expected.json says they contain,
/// and the model <see cref="HttpDoorFixture"/> routes to a provider of the recording's schema.</summary>
internal sealed record RecordedStream(string Model, string Text, int InputTokens, int OutputTokens)
{
    public static IReadOnlyDictionary<string, RecordedStream> All { get; } = Load();

    private static Dictionary<string, RecordedStream> Load()
    {
        using var document = JsonDocument.Parse(RecordedFixtures.ReadText("expected/expected.json"));
        var all = new Dictionary<string, RecordedStream>(StringComparer.Ordinal);
        foreach (var c in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            var expect = c.GetProperty("expect");
            if (c.GetProperty("replay").GetString() != "sse" || c.GetProperty("status").GetInt32() != 200 || expect.GetProperty("error").ValueKind != JsonValueKind.Null)
            {
                continue;
            }

            var model = c.GetProperty("schema").GetString() switch
            {
                "openai-chat" => "gpt-4o-mini",
                "openai-compatible" => "compatible",
                "openai-responses" => "responses",
                "anthropic" => "claude",
                "gemini" => "gemini",
                _ => null,
            };
            if (model is null)
            {
                continue;
            }

            var usage = expect.GetProperty("usage");
            all[c.GetProperty("fixture").GetString()!] = new RecordedStream(
                model, expect.GetProperty("text").GetString() ?? string.Empty, usage.GetProperty("input").GetInt32(), usage.GetProperty("output").GetInt32());
        }

        return all;
    }
}
