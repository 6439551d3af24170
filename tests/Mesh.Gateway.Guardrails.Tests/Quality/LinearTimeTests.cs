using System.Diagnostics;
using System.Text;
using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.Guardrails.Tests.Quality;

/// <summary>
/// Adversarial input (long digit runs, '@' runs, near-miss cards, e-mails, IPv6, keys and injection phrases) is scanned in time
/// linear in its size: 16x the input may take at most 64x the time (a quadratic scanner would take ~256x). Best of three runs each.
/// </summary>
public sealed class LinearTimeTests
{
    private static string Adversarial(int size)
    {
        string[] pieces =
        [
            new string('7', 4000), " ", new string('@', 2000), " ", string.Concat(Enumerable.Repeat("a.b@c.d@", 300)), " ",
            string.Concat(Enumerable.Repeat("4111 1111 1111 111 ", 100)), string.Concat(Enumerable.Repeat("1:2:3:4:", 400)), " ",
            string.Concat(Enumerable.Repeat("sk-", 500)), string.Concat(Enumerable.Repeat("key key=", 300)), " ",
            string.Concat(Enumerable.Repeat("ignore previous ignore all ", 100)), string.Concat(Enumerable.Repeat("http://x.", 300)), " ",
            string.Concat(Enumerable.Repeat("DE89 3704 ", 200)), string.Concat(Enumerable.Repeat("eyJ.", 300)), " ",
            string.Concat(Enumerable.Repeat("Plain words. More words, and a sentence. ", 200)), string.Concat(Enumerable.Repeat(". ", 2000)),
            string.Concat(Enumerable.Repeat("x@", 1000)), string.Concat(Enumerable.Repeat("[EMAIL_", 300)), " ",
        ];
        var sb = new StringBuilder(size + 10_000);
        int k = 0;
        while (sb.Length < size)
        {
            sb.Append(pieces[k++ % pieces.Length]);
        }

        return sb.ToString(0, size);
    }

    private static double BestSeconds(GuardrailEngine engine, string text, GuardDirection direction)
    {
        double best = double.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            var sw = Stopwatch.StartNew();
            engine.Inspect(text, direction, GuardPolicy.Default);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }

        return best;
    }

    [Fact]
    public void Inspect_AdversarialInput_ScalesLinearlyFrom64KiBTo1MiB()
    {
        var engine = new GuardrailEngine();
        string small = Adversarial(64 * 1024);
        string large = Adversarial(1024 * 1024);
        engine.Inspect(small, GuardDirection.RetrievedDocument, GuardPolicy.Default); // warm up (JIT, regex construction)

        double tSmall = BestSeconds(engine, small, GuardDirection.RetrievedDocument);
        double tLarge = BestSeconds(engine, large, GuardDirection.RetrievedDocument);

        Assert.True(tLarge / tSmall <= 64, $"64 KiB {tSmall * 1000:F1} ms, 1 MiB {tLarge * 1000:F1} ms, ratio {tLarge / tSmall:F1}");
    }

    [Theory]
    [InlineData("Capitalised Words With No Digit Anywhere In The Text ")]
    [InlineData("AB 12 34 56 Q X-1234567-Q L898902C3<<<< RSSMRA85T10A562 passport no. ")]
    public void Inspect_NationalIdShapes_ScaleLinearlyFrom64KiBTo1MiB(string piece)
    {
        // The national-ID scan stops at every digit and upper-case letter: a search for the next one that read the rest of
        // the text each time was quadratic on prose without digits (200x slower at 1 MiB).
        var engine = new GuardrailEngine();
        string small = Repeat(piece, 64 * 1024), large = Repeat(piece, 1024 * 1024);
        engine.Inspect(small, GuardDirection.Input, GuardPolicy.Default);

        double tSmall = BestSeconds(engine, small, GuardDirection.Input);
        double tLarge = BestSeconds(engine, large, GuardDirection.Input);

        Assert.True(tLarge / tSmall <= 64, $"64 KiB {tSmall * 1000:F1} ms, 1 MiB {tLarge * 1000:F1} ms, ratio {tLarge / tSmall:F1}");

        static string Repeat(string piece, int size)
        {
            var sb = new StringBuilder(size + piece.Length);
            while (sb.Length < size)
            {
                sb.Append(piece);
            }

            return sb.ToString(0, size);
        }
    }

    /// <summary>Inputs aimed at the keyword prefilter and its windows: a trigger word every few characters.</summary>
    public static TheoryData<string> PrefilterAttacks() => ["spaced", "glued", "whitespace"];

    private static string PrefilterAttack(string kind, int size)
    {
        string[] words = ["ignore", "you are", "women", "kill", "from now on", "system prompt", "what is it?", "write it", "n1gg", "you're", "act as", "h a t e"];
        var sb = new StringBuilder(size + 2_000);
        int k = 0;
        while (sb.Length < size)
        {
            string w = words[k++ % words.Length];
            _ = kind switch
            {
                "spaced" => sb.Append(w).Append(' '),
                "glued" => sb.Append(w.Replace(' ', '.')).Append('.'),
                _ => sb.Append(w).Append(' ', 700).Append('\n', 300),
            };
        }

        return sb.ToString(0, size);
    }

    [Theory]
    [MemberData(nameof(PrefilterAttacks))]
    public void Inspect_TriggerWordEveryFewCharacters_ScalesLinearlyFrom64KiBTo1MiB(string kind)
    {
        var engine = new GuardrailEngine();
        string small = PrefilterAttack(kind, 64 * 1024);
        string large = PrefilterAttack(kind, 1024 * 1024);
        engine.Inspect(small, GuardDirection.RetrievedDocument, GuardPolicy.Default);

        double tSmall = BestSeconds(engine, small, GuardDirection.RetrievedDocument);
        double tLarge = BestSeconds(engine, large, GuardDirection.RetrievedDocument);

        Assert.True(tLarge / tSmall <= 64, $"{kind}: 64 KiB {tSmall * 1000:F1} ms, 1 MiB {tLarge * 1000:F1} ms, ratio {tLarge / tSmall:F1}");
    }
}
