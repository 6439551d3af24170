using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mesh.Gateway.Tokenizers;

namespace Mesh.Gateway.Benchmarks.Tokenizers;

/// <summary>Encoding throughput on the corpora that node/make-corpora.cjs builds, printed as the JSON lines
/// node/table.cjs reads (the same lines npm tiktoken's node/bench.cjs prints). Run through run.sh.</summary>
internal static class TokenizerThroughput
{
    private static readonly string[] s_corpora = ["prose", "code", "cjk", "emoji"];

    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: tokenizers CORPUS_DIR [runs]");
            return 2;
        }

        string dir = args[0];
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 9;
        foreach (TiktokenEncoding encoding in new[] { TiktokenEncoding.O200kBase, TiktokenEncoding.Cl100kBase })
        {
            foreach (string corpus in s_corpora)
            {
                string text = File.ReadAllText(Path.Combine(dir, corpus + ".txt"), Encoding.UTF8);
                int bytes = Encoding.UTF8.GetByteCount(text);
                var ids = new List<int>(text.Length);
                Measure("Mesh.Gateway Encode", encoding, corpus, bytes, runs, () =>
                {
                    ids.Clear();
                    encoding.Encode(text, ids, SpecialTokenPolicy.AsText);
                    return ids.Count;
                });
                Measure("Mesh.Gateway CountTokens", encoding, corpus, bytes, runs,
                    () => encoding.CountTokens(text, SpecialTokenPolicy.AsText));
            }
        }

        return 0;
    }

    private static string Join(double[] values) =>
        string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    private static void Measure(string tool, TiktokenEncoding encoding, string corpus, int bytes, int runs, Func<int> encode)
    {
        int tokens = encode(); // warm-up (and tiering)
        tokens = encode();
        var mbPerSec = new double[runs];
        var mbPerCpuSec = new double[runs];
        using var process = Process.GetCurrentProcess();
        for (int i = 0; i < runs; i++)
        {
            process.Refresh();
            TimeSpan cpuStart = process.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            tokens = encode();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            process.Refresh();
            double cpuSeconds = (process.TotalProcessorTime - cpuStart).TotalSeconds;
            mbPerSec[i] = bytes / 1e6 / seconds;
            mbPerCpuSec[i] = bytes / 1e6 / Math.Max(cpuSeconds, 1e-6);
        }

        Console.WriteLine(
            $"{{\"tool\":\"{tool}\",\"encoding\":\"{encoding.Name}\",\"corpus\":\"{corpus}\",\"bytes\":{bytes},\"tokens\":{tokens},"
            + $"\"mbPerSec\":[{Join(mbPerSec)}],\"mbPerCpuSec\":[{Join(mbPerCpuSec)}]}}");
    }
}
