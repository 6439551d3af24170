using System.Text;
using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.Guardrails.Tests.Streaming;

public sealed class StreamingRedactorTests
{
    private static readonly GuardrailEngine Engine = new();

    private static GuardPolicy Policy(GuardAction action = GuardAction.Redact) => new()
    {
        Pii = new PiiPolicy { Action = action, Entities = ["email", "credit_card", "phone"] },
        Injection = new InjectionPolicy { Enabled = false },
        Moderation = new ModerationPolicy { Enabled = false },
    };

    private static string Run(StreamingRedactor r, IEnumerable<string> chunks)
    {
        var sb = new StringBuilder();
        foreach (string c in chunks)
        {
            sb.Append(r.Push(c).Text);
        }

        return sb.Append(r.Complete().Text).ToString();
    }

    [Fact]
    public void Push_EmailSplitAcrossTwoChunks_IsStillRedacted()
    {
        var r = Engine.CreateStream(Policy());

        string output = Run(r, ["Write to john.doe@exa", "mple.com today."]);

        Assert.Equal("Write to [EMAIL] today.", output);
    }

    [Fact]
    public void Push_EverySplitPoint_MatchesWholeTextRedaction()
    {
        string text = "Hi, reach me at jane@corp.example or 4012 8888 8888 1881, or call (415) 555-0132. Thanks!";
        string expected = Engine.Inspect(text, GuardDirection.Output, Policy()).RedactedText;
        for (int a = 0; a <= text.Length; a++)
        {
            var r = Engine.CreateStream(Policy());
            Assert.Equal(expected, Run(r, [text[..a], text[a..]]));
        }
    }

    [Fact]
    public void Push_CharacterByCharacter_ReleasesTextBeforeTheEnd()
    {
        string text = string.Concat(Enumerable.Repeat("Plain words flow through the stream without any personal data. ", 10));
        var r = Engine.CreateStream(Policy());
        int releasedBeforeEnd = 0;
        foreach (char c in text)
        {
            releasedBeforeEnd += r.Push(c.ToString()).Text.Length;
            Assert.True(r.HeldBack <= 96 + 64, $"held back {r.HeldBack}");
        }

        Assert.True(releasedBeforeEnd >= text.Length - 200);
        Assert.Equal(text, text[..releasedBeforeEnd] + r.Complete().Text);
    }

    [Fact]
    public void Push_FindingOffsets_AreRelativeToTheWholeStream()
    {
        var r = Engine.CreateStream(Policy());
        var findings = new List<GuardFinding>();
        string text = new string('x', 10) + " " + string.Concat(Enumerable.Repeat("word ", 40)) + "a@b.io end";
        foreach (string chunk in text.Chunk(7).Select(c => new string(c)))
        {
            findings.AddRange(r.Push(chunk).Findings);
        }

        findings.AddRange(r.Complete().Findings);
        var f = Assert.Single(findings);
        Assert.Equal(text.IndexOf("a@b.io", StringComparison.Ordinal), f.Start);
        Assert.Equal(f.Start + 6, f.End);
    }
}
