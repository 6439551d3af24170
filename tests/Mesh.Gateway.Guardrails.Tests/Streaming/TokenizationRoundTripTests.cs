using System.Text;
using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.Guardrails.Tests.Streaming;

public sealed class TokenizationRoundTripTests
{
    private static readonly GuardrailEngine Engine = new();

    private static readonly GuardPolicy Tokenize = new()
    {
        Pii = new PiiPolicy { Action = GuardAction.Tokenize },
        Injection = new InjectionPolicy { Enabled = false },
        Moderation = new ModerationPolicy { Enabled = false },
    };

    [Fact]
    public void Stream_ModelEchoesPlaceholders_OriginalsRestoredAtEveryChunkBoundary()
    {
        const string prompt = "Email jane.doe@example.com and call +44 20 7123 4567 about card 4111 1111 1111 1111; cc jane.doe@example.com.";
        var vault = new GuardTokenVault();
        var request = Engine.Inspect(prompt, GuardDirection.Input, Tokenize, vault);
        Assert.DoesNotContain("jane.doe", request.RedactedText, StringComparison.Ordinal);
        Assert.Equal(3, vault.Count);

        // The model answers with the placeholders it was given; the stream must carry the originals back.
        string answer = "Sure. I wrote to " + request.RedactedText + " Done.";
        string expected = "Sure. I wrote to " + prompt + " Done.";
        for (int a = 0; a <= answer.Length; a++)
        {
            for (int b = a; b <= answer.Length; b += 7)
            {
                var stream = Engine.CreateStream(Tokenize, GuardDirection.Output, vault);
                var sb = new StringBuilder();
                sb.Append(stream.Push(answer[..a]).Text).Append(stream.Push(answer[a..b]).Text).Append(stream.Push(answer[b..]).Text).Append(stream.Complete().Text);
                Assert.Equal(expected, sb.ToString());
            }
        }
    }

    [Fact]
    public void Stream_OneCharacterChunks_RestoresAndStillRedactsNewPii()
    {
        var vault = new GuardTokenVault();
        var request = Engine.Inspect("me: a@b.io", GuardDirection.Input, Tokenize, vault);
        string answer = request.RedactedText[4..] + " or x@y.io";
        var policy = Tokenize with { Pii = new PiiPolicy { Action = GuardAction.Redact } };
        var stream = Engine.CreateStream(policy, GuardDirection.Output, vault);
        var sb = new StringBuilder();
        foreach (char c in answer)
        {
            sb.Append(stream.Push(c.ToString()).Text);
        }

        Assert.Equal("a@b.io or [EMAIL]", sb.Append(stream.Complete().Text).ToString());
    }

    [Fact]
    public void Stream_ModerationHit_CutsWithFinishReason()
    {
        var policy = new GuardPolicy { Pii = new PiiPolicy { Enabled = false }, Injection = new InjectionPolicy { Enabled = false } };
        var stream = Engine.CreateStream(policy, GuardDirection.Output);
        var sb = new StringBuilder();
        StreamingOutput? stop = null;
        foreach (string chunk in new[] { "Here is the plan. ", "I will kill ", "them all tomorrow. ", "More text." })
        {
            var o = stream.Push(chunk);
            sb.Append(o.Text);
            if (o.Stopped)
            {
                stop = o;
                break;
            }
        }

        stop ??= stream.Complete();
        Assert.True(stop.Stopped);
        Assert.Equal("content_filter", stop.FinishReason);
        Assert.Equal("violence", stop.StopReason);
        Assert.DoesNotContain("kill", sb.ToString(), StringComparison.Ordinal);
        Assert.True(stream.IsStopped);
    }
}
