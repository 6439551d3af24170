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

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
