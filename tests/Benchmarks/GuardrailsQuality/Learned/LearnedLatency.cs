using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mesh.Gateway.Embeddings;
using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.GuardrailsQuality.Learned;

/// <summary>
/// <c>learned-latency [runs]</c>: the encoder's median at 32, 128, 256 and 512 tokens, and what the learned layer adds to one
/// inspection (p50 / p99 of the default policy with learned on minus the same with it off) on 1 KiB and 8 KiB prompts, one core.
/// Keep <c>runs</c> small on a shared machine; the figures for the note come from a quiet one.
/// </summary>
internal static class LearnedLatency
{
    private static readonly string[] Words = ["the", "customer", "asked", "about", "a", "refund", "for", "an", "order", "that", "arrived", "late", "and", "we", "should", "reply", "with", "clear", "next", "steps"];

    internal static string Run(int runs)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            Process.GetCurrentProcess().ProcessorAffinity = 1; // one core
        }

        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        string loadBefore = LoadAverage();
        // Everything this process made before (the report's other sections) collected and given back first, so the
        // differences below are the encoder's.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long before = GC.GetTotalMemory(true);
        long rssBefore = Environment.WorkingSet;
        using var encoder = new MiniLmTextEncoder();
        encoder.Encode("warm up", CancellationToken.None);
        long rssAfter = Environment.WorkingSet;
        long heapAfter = GC.GetTotalMemory(false);
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long rssCollected = Environment.WorkingSet;
        var defaults = new SentenceEncoderOptions();
        md.AppendLine(inv, $"Encoder: {encoder.ModelName} (`sentence_encoder.precision: {defaults.Precision}`, the default), at most {defaults.MaxWindows} windows of {MiniLmTextEncoder.WindowPieces} word pieces a text. Model loaded: working set +{(rssAfter - rssBefore) / (1024.0 * 1024):F0} MiB (managed heap +{(heapAfter - before) / (1024.0 * 1024):F0} MiB; working set +{(rssCollected - rssBefore) / (1024.0 * 1024):F0} MiB after a full collection).");
        md.AppendLine();
        md.AppendLine("| what | runs | p50 (ms) | p99 (ms) | CPU p50 (ms) |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        using var fp32 = new MiniLmTextEncoder(new SentenceEncoderOptions { Precision = "fp32" });
        foreach (var (name, e) in new[] { ("int8", encoder), ("fp32", fp32) })
        {
            foreach (int tokens in new[] { 32, 128, 256, 512 })
            {
                // Common English words are one word piece each: n words + [CLS] + [SEP] ~ n tokens; 512 is three windows.
                string text = string.Join(' ', Enumerable.Range(0, tokens - 2).Select(i => Words[i % Words.Length]));
                var (p50, p99, cpu) = Measure(runs, () => e.Encode(text, CancellationToken.None));
                md.AppendLine(inv, $"| encoder {name}, {tokens} tokens | {runs} | {p50:F1} | {p99:F1} | {cpu:F1} |");
            }
        }

        var rulesOnly = new GuardrailEngine();
        var learned = new GuardrailEngine([], TimeProvider.System, encoder);
        var on = GuardPolicy.Default with { Learned = new LearnedPolicy { Enabled = true } };
        foreach (int size in new[] { 1024, 8192 })
        {
            var sb = new StringBuilder();
            for (int i = 0; sb.Length < size; i++)
            {
                sb.Append(Words[(i * 7) % Words.Length]).Append(i % 13 == 12 ? ". " : " ");
            }

            string text = sb.ToString(0, size);
            var (r50, r99, rCpu) = Measure(runs, () => rulesOnly.Inspect(text, GuardDirection.Input, GuardPolicy.Default));
            var (l50, l99, lCpu) = Measure(runs, () => learned.Inspect(text, GuardDirection.Input, on));
            md.AppendLine(inv, $"| default policy, rules only, {size / 1024} KiB prompt ({encoder.WindowCount(text)} window(s)) | {runs} | {r50:F2} | {r99:F2} | {rCpu:F2} |");
            md.AppendLine(inv, $"| default policy, rules + learned, {size / 1024} KiB prompt | {runs} | {l50:F2} | {l99:F2} | {lCpu:F2} |");
            md.AppendLine(inv, $"| **added by the learned layer, {size / 1024} KiB** | | {l50 - r50:F2} | {l99 - r99:F2} | {lCpu - rCpu:F2} |");
        }

        // Per call, with and without the learned layer, on prose and on PII-dense text (one value every ~35 characters).
        md.AppendLine();
        md.AppendLine("| input | size | rules only: MB/s | rules only: p99 (ms) | rules + learned: MB/s | rules + learned: p99 (ms) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, make) in new (string, Func<int, string>)[] { ("prose", Mesh.Gateway.Benchmarks.Guardrails.GuardrailsCorpus.CleanProse), ("PII-dense", Mesh.Gateway.Benchmarks.Guardrails.GuardrailsCorpus.PiiDense) })
        {
            foreach (int size in new[] { 1024, 8192 })
            {
                string text = make(size);
                var (rMean, r99) = MeanAndP99(runs, () => rulesOnly.Inspect(text, GuardDirection.Input, GuardPolicy.Default));
                var (lMean, l99) = MeanAndP99(runs, () => learned.Inspect(text, GuardDirection.Input, on));
                md.AppendLine(inv, $"| {name} | {size / 1024} KiB | {text.Length / (rMean * 1000):F1} | {r99:F2} | {text.Length / (lMean * 1000):F3} | {l99:F2} |");
            }
        }

        md.AppendLine();
        md.AppendLine("MB/s = 10^6 UTF-16 characters per second of one call's wall time (mean over the runs), one core. CPU = the thread's own CPU time, which a loaded machine inflates far less than wall time.");
        md.AppendLine();
        md.AppendLine(inv, $"Load average (1, 5, 15 min) at the start: {loadBefore}; at the end: {LoadAverage()} (2 cores).");
        return md.ToString();
    }

    private static (double MeanMs, double P99) MeanAndP99(int runs, Action action)
    {
        var times = Sorted(runs, action);
        return (times.Average(), P99(times));
    }

    private static (double P50, double P99, double CpuP50) Measure(int runs, Action action)
    {
        for (int i = 0; i < Math.Min(5, runs); i++)
        {
            action();
        }

        var cpu = new double[runs];
        int n = 0;
        var times = Sorted(runs, () =>
        {
            double c0 = ThreadCpu.Seconds();
            action();
            if (n < runs)
            {
                cpu[n++] = (ThreadCpu.Seconds() - c0) * 1000;
            }
        }, warmUp: false);
        Array.Sort(cpu);
        return (times[runs / 2], P99(times), cpu[runs / 2]);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    // Each call's wall time in ms, sorted, after up to 5 warm-up calls.
    private static double[] Sorted(int runs, Action action, bool warmUp = true)
    {
        for (int i = 0; warmUp && i < Math.Min(5, runs); i++)
        {
            action();
        }

        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        Array.Sort(times);
        return times;
    }

    private static double P99(double[] sorted) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * 0.99) - 1)];
}
