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
                string category = args.Length > 2 ? args[2] : "hate";
                bool label = category == "violence" ? r.Functionality.StartsWith("threat_", StringComparison.Ordinal) : r.Hateful;
                bool hit = engine.Inspect(r.Text, GuardDirection.Input, ModerationEvaluation.Policy).Findings.Any(f => f.Type == category);
                if ((args[1] == "fn" && label && !hit) || (args[1] == "fp" && !label && hit))
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

    case "throughput":
    {
        // The throughput table alone (the same figures as the report): one core, 1 MiB, medians. Compare builds by running this in each.
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            System.Diagnostics.Process.GetCurrentProcess().ProcessorAffinity = 1;
        }

        Console.WriteLine(Mesh.Gateway.GuardrailsQuality.Report.ThroughputTable(engine));
        return 0;
    }

    case "speed":
    {
        var pii = new GuardPolicy { Injection = new InjectionPolicy { Enabled = false }, Moderation = new ModerationPolicy { Enabled = false } };
        string text = args.Length > 1 ? Mesh.Gateway.Benchmarks.Guardrails.GuardrailsCorpus.PiiDense(1 << 20) : Mesh.Gateway.Benchmarks.Guardrails.GuardrailsCorpus.CleanProse(1 << 20);
        foreach (var (name, pol) in new[] { ("pii", pii), ("full", GuardPolicy.Default) })
        {
            var (wall, cpu) = Mesh.Gateway.GuardrailsQuality.Report.Throughput(engine, text, pol);
            Console.WriteLine($"{name}: {wall:F1} MB/s wall, {cpu:F1} MB/s per cpu-second (medians of 9)");
        }

        void Time(string n, Action a)
        {
            var warm = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; (i < 40 || warm.Elapsed.TotalSeconds < 1) && warm.Elapsed.TotalSeconds < 20; i++)
            {
                a();
            }

            var times = new List<double>();
            var cpu = new List<double>();
            for (int i = 0; i < 9; i++)
            {
                double c0 = Mesh.Gateway.GuardrailsQuality.ThreadCpu.Seconds();
                var w = System.Diagnostics.Stopwatch.StartNew();
                a();
                times.Add(w.Elapsed.TotalMilliseconds);
                cpu.Add((Mesh.Gateway.GuardrailsQuality.ThreadCpu.Seconds() - c0) * 1000);
            }

            times.Sort();
            cpu.Sort();
            Console.WriteLine($"{n}: {times[4]:F2} ms wall, {cpu[4]:F2} ms cpu");
        }

        Time("injection", () => Mesh.Gateway.Guardrails.Injection.InjectionScorer.Score(text, GuardDirection.Input));
        Time("injection-doc", () => Mesh.Gateway.Guardrails.Injection.InjectionScorer.Score(text, GuardDirection.RetrievedDocument));
        var injScanner = new Mesh.Gateway.Guardrails.Internal.Prefilter.TriggerScanner(Mesh.Gateway.Guardrails.Injection.InjectionTriggers.All());
        var modScanner = new Mesh.Gateway.Guardrails.Internal.Prefilter.TriggerScanner(Mesh.Gateway.Guardrails.Moderation.ModerationTriggers.All());
        Time("collect-injection", () => { var h = new Mesh.Gateway.Guardrails.Internal.Prefilter.TriggerHits(); injScanner.Collect(text, 63, ref h); h.Dispose(); });
        Time("collect-moderation", () => { var h = new Mesh.Gateway.Guardrails.Internal.Prefilter.TriggerHits(); modScanner.Collect(text, ulong.MaxValue, ref h); h.Dispose(); });
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
        Time("analyze-pii", () => { var o = new List<Mesh.Gateway.Guardrails.Internal.RawFinding>(); Mesh.Gateway.Guardrails.GuardrailEngine.Analyze(text, GuardDirection.Input, pii.Compiled, o, null, null); });
        var analyzed = new List<Mesh.Gateway.Guardrails.Internal.RawFinding>();
        Mesh.Gateway.Guardrails.GuardrailEngine.Analyze(text, GuardDirection.Input, pii.Compiled, analyzed, null, null);
        Console.WriteLine($"findings after analyze: {analyzed.Count}, gen0 {GC.CollectionCount(0)} gen1 {GC.CollectionCount(1)} gen2 {GC.CollectionCount(2)}");
        Time("build-analyzed", () => Mesh.Gateway.Guardrails.GuardrailEngine.Build(text, [.. analyzed], pii.Compiled, null, 0));
        Time("inspect-pii", () => engine.Inspect(text, GuardDirection.Input, pii));
        Console.WriteLine($"gen0 {GC.CollectionCount(0)} gen1 {GC.CollectionCount(1)} gen2 {GC.CollectionCount(2)}");
        Time("normalizer", () => Mesh.Gateway.Guardrails.Moderation.Normalizer.Fold(text));
        return 0;
    }

    case "triggers":
    {
        // Which trigger words fire on a corpus, and how often (for keeping the prefilter cheap on ordinary text).
        string text = args.Length > 1 && args[1] == "dense" ? Mesh.Gateway.Benchmarks.Guardrails.GuardrailsCorpus.PiiDense(1 << 20) : Mesh.Gateway.Benchmarks.Guardrails.GuardrailsCorpus.CleanProse(1 << 20);
        if (args.Length > 2)
        {
            text = File.ReadAllText(args[2]);
        }

        foreach (var (name, scanner) in new[] { ("injection", new Mesh.Gateway.Guardrails.Internal.Prefilter.TriggerScanner(Mesh.Gateway.Guardrails.Injection.InjectionTriggers.All())), ("moderation", new Mesh.Gateway.Guardrails.Internal.Prefilter.TriggerScanner(Mesh.Gateway.Guardrails.Moderation.ModerationTriggers.All())) })
        {
            var hits = new Mesh.Gateway.Guardrails.Internal.Prefilter.TriggerHits();
            scanner.Collect(text, ulong.MaxValue, ref hits);
            var triggers = scanner.Triggers.ToArray();
            foreach (var g in hits.Items.ToArray().GroupBy(h => (triggers[h.Trigger].Tier, triggers[h.Trigger].Word)).OrderByDescending(g => g.Count()).Take(15))
            {
                Console.WriteLine($"{name} tier {g.Key.Tier} '{g.Key.Word}': {g.Count()}");
            }

            for (int t = 0; t < 20; t++)
            {
                if (hits.Has(t))
                {
                    using var w = scanner.Windows(text, hits, t);
                    Console.WriteLine($"{name} tier {t}: {w.Items.Length} windows, {w.Items.ToArray().Sum(x => x.End - x.Start)} chars");
                }
            }

            hits.Dispose();
        }

        return 0;
    }

    case "generalization":
    {
        using var store = new Mesh.Gateway.GuardrailsQuality.Learned.EmbeddingStore(EmbeddingCachePath());
        Console.WriteLine(new Mesh.Gateway.GuardrailsQuality.Learned.GeneralizationReport(store).Build());
        return 0;
    }

    case "shipped":
    {
        // The shipped heads (or a heads file given, e.g. an earlier version's) on the held-out halves, as the engine runs them.
        using var store = new Mesh.Gateway.GuardrailsQuality.Learned.EmbeddingStore(EmbeddingCachePath());
        var heads = args.Length > 1 ? Mesh.Gateway.Guardrails.Learned.LearnedHeads.Parse(new StreamReader(args[1])) : Mesh.Gateway.Guardrails.Learned.LearnedHeads.Shipped;
        Console.WriteLine(new Mesh.Gateway.GuardrailsQuality.Learned.GeneralizationReport(store).Shipped(heads, args.Length > 1 ? args[1] : "shipped"));
        return 0;
    }

    case "moderation-experiment":
    {
        using var store = new Mesh.Gateway.GuardrailsQuality.Learned.EmbeddingStore(EmbeddingCachePath());
        Console.WriteLine(new Mesh.Gateway.GuardrailsQuality.Learned.GeneralizationReport(store).ModerationExperiment());
        return 0;
    }

    case "experiment":
    {
        using var store = new Mesh.Gateway.GuardrailsQuality.Learned.EmbeddingStore(EmbeddingCachePath());
        Console.WriteLine(new Mesh.Gateway.GuardrailsQuality.Learned.GeneralizationReport(store).Experiment());
        return 0;
    }

    case "export-embeddings":
    {
        // The 8-bit vectors of every text the leave-one-dataset-out protocol reads, for the quality tests (committed).
        using var store = new Mesh.Gateway.GuardrailsQuality.Learned.EmbeddingStore(EmbeddingCachePath());
        string path = Path.Combine(Fixtures.RepoRoot, "tests", "Mesh.Gateway.Guardrails.Tests", "Fixtures", "learned", "embeddings.i8");
        var texts = GeneralizationData.Injection().Concat(GeneralizationData.Moderation()).Concat(GeneralizationData.ModerationBenign()).Select(s => s.Text);
        store.WriteCommitted(path, texts);
        Console.WriteLine("written " + path + $" ({new FileInfo(path).Length / 1024} KiB)");
        return 0;
    }

    case "phones":
    {
        var phoneOnly = new GuardPolicy { Pii = new PiiPolicy { Entities = [PiiEntityTypes.Phone] }, Injection = new InjectionPolicy { Enabled = false }, Moderation = new ModerationPolicy { Enabled = false } };
        foreach (var c in PhoneTexts.Evaluate(engine, phoneOnly))
        {
            Console.WriteLine($"{c.Format,-28} n={c.Texts,5} P={c.Precision:F3} R={c.Recall:F3} tp={c.Tp} fp={c.Fp} fn={c.Fn}");
        }

        if (args.Length > 1)
        {
            foreach (var t in PhoneTexts.Load().Where(t => t.Format == args[1]).Take(400))
            {
                var f = engine.Inspect(t.Value, GuardDirection.Input, phoneOnly).Findings;
                if (!f.Any(x => x.Utf16Start == t.Start && x.Utf16End == t.End))
                {
                    Console.WriteLine($"  miss: {t.Value}  found {string.Join(",", f.Select(x => t.Value[x.Utf16Start..x.Utf16End]))}");
                }
            }
        }

        return 0;
    }

    case "national-ids":
    {
        var piiOnly = new GuardPolicy { Injection = new InjectionPolicy { Enabled = false }, Moderation = new ModerationPolicy { Enabled = false } };
        foreach (var c in NationalIdTexts.Evaluate(engine, piiOnly))
        {
            Console.WriteLine($"{c.Type,-16} n={c.Positives,4} R(context)={c.RecallWithContext:F3} R(bare)={c.RecallBare:F3} P={c.Precision:F3} fp={c.Fp}");
        }

        return 0;
    }

    case "encoder-compare":
        Console.WriteLine(Mesh.Gateway.GuardrailsQuality.Learned.EncoderComparison.Run(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 300));
        return 0;

    case "encoder-memory":
        Console.WriteLine(Mesh.Gateway.GuardrailsQuality.Learned.EncoderComparison.Memory(args.Length > 1 ? args[1] : "int8"));
        return 0;

    case "learned-latency":
        Console.WriteLine(Mesh.Gateway.GuardrailsQuality.Learned.LearnedLatency.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20));
        return 0;

    case "train":
    {
        // Writes the shipped learned heads (src/Mesh.Gateway.Guardrails/Learned/learned-heads.txt).
        using var store = new Mesh.Gateway.GuardrailsQuality.Learned.EmbeddingStore(EmbeddingCachePath());
        string path = Path.Combine(Fixtures.RepoRoot, "src", "Mesh.Gateway.Guardrails", "Learned", "learned-heads.txt");
        new Mesh.Gateway.GuardrailsQuality.Learned.GeneralizationReport(store).TrainShipped(path);
        Console.WriteLine("written " + path);
        return 0;
    }

    case "report":
    {
        string generalization;
        using (var store = new Mesh.Gateway.GuardrailsQuality.Learned.EmbeddingStore(EmbeddingCachePath()))
        {
            generalization = new Mesh.Gateway.GuardrailsQuality.Learned.GeneralizationReport(store).Build();
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            System.Diagnostics.Process.GetCurrentProcess().ProcessorAffinity = 1; // one core
        }

        string latency = Mesh.Gateway.GuardrailsQuality.Learned.LearnedLatency.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30);
        string md = Mesh.Gateway.GuardrailsQuality.Report.Build(engine, generalization, latency);
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

// Sentence vectors of the fixtures, cached between runs (not committed).
static string EmbeddingCachePath() => Path.Combine(Fixtures.RepoRoot, "tests", "Benchmarks", "GuardrailsQuality", "obj", "guardrails-embeddings.bin");
