using BenchmarkDotNet.Running;

namespace Mesh.Gateway.Benchmarks;

internal static class Program
{
    private static int Main(string[] args)
    {
        // `tokenizers DIR`: the Stopwatch throughput run that tests/Benchmarks/Tokenizers/run.sh compares with npm tiktoken.
        if (args is ["tokenizers", .. var rest])
        {
            return Tokenizers.TokenizerThroughput.Run(rest);
        }

        // `limits [iterations]`: per-call latency of a limit check, Redis-backed vs in-process, p50/p99 in one run.
        if (args is ["limits", .. var limitArgs])
        {
            return Limits.LimitCheckLatency.Run(limitArgs);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
