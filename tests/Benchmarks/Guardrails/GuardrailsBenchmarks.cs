using BenchmarkDotNet.Attributes;
using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.Benchmarks.Guardrails;

/// <summary>
/// Guardrail scan throughput on one core: PII-only and the full default policy (PII + injection + moderation), on 1 MiB of
/// clean prose and of PII-dense text. Run: dotnet run -c Release --project tests/Benchmarks -- --filter *Guardrails*
/// </summary>
[MemoryDiagnoser]
public class GuardrailsBenchmarks
{
    private static readonly GuardPolicy PiiOnly = new()
    {
        Injection = new InjectionPolicy { Enabled = false },
        Moderation = new ModerationPolicy { Enabled = false },
    };

    private readonly GuardrailEngine _engine = new();
    private string _text = string.Empty;

    [Params("clean_prose", "pii_dense")]
    public string Corpus { get; set; } = "clean_prose";

    [GlobalSetup]
    public void Setup() =>
        _text = Corpus == "clean_prose" ? GuardrailsCorpus.CleanProse(1 << 20) : GuardrailsCorpus.PiiDense(1 << 20);

    [Benchmark(Baseline = true)]
    public int Pii() => _engine.Inspect(_text, GuardDirection.Input, PiiOnly).Findings.Count;

    [Benchmark]
    public int FullPolicy() => _engine.Inspect(_text, GuardDirection.Input, GuardPolicy.Default).Findings.Count;
}
