using System.Globalization;
using Mesh.Gateway.Guardrails;
using Mesh.Gateway.GuardrailsQuality.Evaluation;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var engine = new GuardrailEngine();
string mode = args.Length > 0 ? args[0] : "report";
switch (mode)
{
    case "pii-errors":
        foreach (string type in PiiEntityTypes.All.Take(8))
        {
            foreach (var (c, found) in PiiEvaluation.Errors(engine, type, args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 0))
            {
                Console.WriteLine($"{type}\t{c.Text}\texpected {string.Join(",", c.Spans)} n={c.ExpectedCount}\tfound {string.Join(",", found)}");
            }
        }

        return 0;
    case "score":
    {
        var r = engine.Inspect(args[2], args[1] == "doc" ? GuardDirection.RetrievedDocument : GuardDirection.Input, InjectionEvaluation.Policy);
        Console.WriteLine($"{r.InjectionScore:F3}");
        return 0;
    }

    case "moderation-tune":
    {
        foreach (var c in ModerationEvaluation.Evaluate(engine, SplitPart.Tune))
        {
            Console.WriteLine($"{c.Set,-10} {c.Category,-11} P={c.Precision:F3} R={c.Recall:F3} flag={c.FlagRate:F3} tp={c.Tp} fp={c.Fp} fn={c.Fn}");
        }

        if (args.Length > 1)
        {
            foreach (var r in ModerationData.Hatecheck().Concat(ModerationData.Toxigen()).Where(r => Split.Of(r.Text) == SplitPart.Tune))
            {
                bool hit = engine.Inspect(r.Text, GuardDirection.Input, ModerationEvaluation.Policy).Findings.Any(f => f.Type == "hate");
                if ((args[1] == "fn" && r.Hateful && !hit) || (args[1] == "fp" && !r.Hateful && hit))
                {
                    Console.WriteLine($"--- {r.Set} {r.Functionality}: {r.Text}");
                }
            }
        }

        return 0;
    }

    case "heldout":
    {
        var scored = InjectionEvaluation.Score(engine, SplitPart.HeldOut);
        foreach (double th in new[] { 0.3, 0.4, 0.5 })
        {
            var p = InjectionEvaluation.At(scored, th);
            Console.WriteLine($"threshold {th}: detection {p.Detection:F3} fp {p.FalsePositives:F3} " + string.Join(" | ", p.BySet.Select(kv => $"{kv.Key}={kv.Value:F3}")));
        }

        foreach (var c in ModerationEvaluation.Evaluate(engine, SplitPart.HeldOut))
        {
            Console.WriteLine($"{c.Set,-10} {c.Category,-11} P={c.Precision:F3} R={c.Recall:F3} flag={c.FlagRate:F3}");
        }

        return 0;
    }

    case "injection-tune":
    {
        // Looks at the tune half only.
        var scored = InjectionEvaluation.Score(engine, SplitPart.Tune);
        double th = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 0.5;
        var p = InjectionEvaluation.At(scored, th);
        Console.WriteLine($"threshold {th}: detection {p.Detection:F3} fp {p.FalsePositives:F3}");
        foreach (var (set, rate) in p.BySet)
        {
            Console.WriteLine($"  {set,-36} {rate:F3}");
        }

        string dump = args.Length > 2 ? args[2] : "";
        foreach (var s in scored.Where(s => dump == "fn" ? s.Sample.Positive && s.Score < th : dump == "fp" && !s.Sample.Positive && s.Score >= th).Take(400))
        {
            Console.WriteLine($"--- {s.Sample.Set} {s.Sample.Category} {s.Score:F2}: {s.Sample.Text.ReplaceLineEndings(" ")[..Math.Min(300, s.Sample.Text.Length)]}");
        }

        return 0;
    }

    case "speed":
    {
        var pii = new GuardPolicy { Injection = new InjectionPolicy { Enabled = false }, Moderation = new ModerationPolicy { Enabled = false } };
        string text = args.Length > 1 ? Mesh.Gateway.Benchmarks.Guardrails.GuardrailsCorpus.PiiDense(1 << 18) : Mesh.Gateway.Benchmarks.Guardrails.GuardrailsCorpus.CleanProse(1 << 20);
        foreach (var (name, pol) in new[] { ("pii", pii), ("full", GuardPolicy.Default) })
        {
            engine.Inspect(text, GuardDirection.Input, pol);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            engine.Inspect(text, GuardDirection.Input, pol);
            Console.WriteLine($"{name}: {text.Length / sw.Elapsed.TotalSeconds / 1e6:F1} MB/s");
        }

        void Time(string n, Action a) { a(); var w = System.Diagnostics.Stopwatch.StartNew(); a(); Console.WriteLine($"{n}: {w.Elapsed.TotalMilliseconds:F0} ms"); }
        Time("injection", () => Mesh.Gateway.Guardrails.Injection.InjectionScorer.Score(text, GuardDirection.Input));
        Time("deobfuscator", () => Mesh.Gateway.Guardrails.Injection.Deobfuscator.Inspect(text));
        Time("moderation", () => Mesh.Gateway.Guardrails.Moderation.ModerationScorer.Score(text));
        var sink = new List<Mesh.Gateway.Guardrails.Internal.RawFinding>();
        Time("email", () => Mesh.Gateway.Guardrails.Pii.EmailDetector.Scan(text, sink));
        Time("number", () => Mesh.Gateway.Guardrails.Pii.NumberDetector.Scan(text, Mesh.Gateway.Guardrails.Pii.PiiKinds.All, sink));
        Time("ipv6", () => Mesh.Gateway.Guardrails.Pii.Ipv6Detector.Scan(text, sink));
        Time("url", () => Mesh.Gateway.Guardrails.Pii.UrlDetector.Scan(text, sink));
        Time("secret", () => Mesh.Gateway.Guardrails.Pii.SecretDetector.Scan(text, Mesh.Gateway.Guardrails.Pii.PiiKinds.All, sink));
        var raw = new List<Mesh.Gateway.Guardrails.Internal.RawFinding>();
        Time("piiscan", () => { raw.Clear(); Mesh.Gateway.Guardrails.Pii.PiiScanner.Scan(text, Mesh.Gateway.Guardrails.Pii.PiiKinds.All, raw); });
        Time("resolve", () => { var c = new List<Mesh.Gateway.Guardrails.Internal.RawFinding>(raw); Mesh.Gateway.Guardrails.Pii.PiiScanner.ResolveOverlaps(c); });
        Time("context", () => { var c = new List<Mesh.Gateway.Guardrails.Internal.RawFinding>(raw); Mesh.Gateway.Guardrails.Pii.ContextScorer.Apply(text, c); });
        Time("build", () => { var c = new List<Mesh.Gateway.Guardrails.Internal.RawFinding>(raw); Mesh.Gateway.Guardrails.GuardrailEngine.Build(text, c, pii.Compiled, null, 0); });
        Time("normalizer", () => Mesh.Gateway.Guardrails.Moderation.Normalizer.Fold(text));
        return 0;
    }

    case "report":
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            System.Diagnostics.Process.GetCurrentProcess().ProcessorAffinity = 1; // one core
        }

        string md = Mesh.Gateway.GuardrailsQuality.Report.Build(engine);
        string path = Path.Combine(Fixtures.RepoRoot, "docs", "guardrails-quality.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, md);
        Console.WriteLine(md);
        Console.WriteLine("written " + path);
        return 0;
    }

    default:
        foreach (var c in PiiEvaluation.Evaluate(engine, 0))
        {
            Console.WriteLine($"{c.Type,-14} n={c.Cases,4} P={c.Precision:F3} R={c.Recall:F3} tp={c.Tp} fp={c.Fp} fn={c.Fn}");
        }

        return 0;
}
