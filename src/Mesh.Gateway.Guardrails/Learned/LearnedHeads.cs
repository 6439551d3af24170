using System.Globalization;

namespace Mesh.Gateway.Guardrails.Learned;

/// <summary>
/// Small logistic-regression heads on a sentence embedding (all-MiniLM-L6-v2, 384 dimensions) plus the rule scorer's score:
/// one for prompt injection, one per moderation category. Each head is calibrated so that 0.5 is its operating point
/// (injection: 3% mean false positives on the calibration sets; moderation: best mean F1 there), so one threshold means
/// one false-positive rate whatever the door.
/// </summary>
/// <remarks>
/// The weights (<c>learned-heads.txt</c>, embedded) are written by the training program
/// (<c>dotnet run -c Release --project tests/Benchmarks/GuardrailsQuality -- train</c>), deterministic from the fixtures.
/// </remarks>
internal sealed class LearnedHeads
{
    internal const string InjectionHead = "injection";

    private readonly Dictionary<string, Head> _heads;

    internal LearnedHeads(Dictionary<string, Head> heads)
    {
        _heads = heads;
        Dimensions = heads.Count == 0 ? 0 : heads.Values.First().Weights.Length;
    }

    /// <summary>The heads shipped with this assembly (loaded once).</summary>
    internal static LearnedHeads Shipped => ShippedLazy.Value;

    private static readonly Lazy<LearnedHeads> ShippedLazy = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    internal int Dimensions { get; }

    internal IEnumerable<string> Names => _heads.Keys;

    internal bool Has(string name) => _heads.ContainsKey(name);

    /// <summary>The calibrated probability (0.5 = the operating point) of head <paramref name="name"/>.</summary>
    internal double Score(string name, ReadOnlySpan<float> embedding, double ruleScore) => _heads[name].Score(embedding, ruleScore);

    internal static LearnedHeads Parse(TextReader reader)
    {
        var heads = new Dictionary<string, Head>(StringComparer.Ordinal);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 4 || parts[0] != "head")
            {
                throw new FormatException("Expected 'head <name> <bias> <rule weight>': " + line);
            }

            string weightsLine = reader.ReadLine() ?? throw new FormatException("Missing weights for head " + parts[1]);
            float[] weights = [.. weightsLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => float.Parse(w, NumberStyles.Float, CultureInfo.InvariantCulture))];
            heads[parts[1]] = new Head(weights, double.Parse(parts[3], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture));
        }

        return new LearnedHeads(heads);
    }

    internal static void Write(TextWriter writer, IEnumerable<(string Name, Head Head)> heads)
    {
        foreach (var (name, head) in heads)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"head {name} {head.Bias:R} {head.RuleWeight:R}"));
            writer.WriteLine(string.Join(' ', head.Weights.Select(w => w.ToString("R", CultureInfo.InvariantCulture))));
        }
    }

    private static LearnedHeads LoadShipped()
    {
        using var stream = typeof(LearnedHeads).Assembly.GetManifestResourceStream("Mesh.Gateway.Guardrails.Learned.learned-heads.txt")
            ?? throw new InvalidOperationException("learned-heads.txt is not embedded in " + typeof(LearnedHeads).Assembly.GetName().Name);
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }

    /// <summary>sigmoid(w . embedding + ruleWeight * rule + bias).</summary>
    internal sealed record Head(float[] Weights, double RuleWeight, double Bias)
    {
        internal double Score(ReadOnlySpan<float> embedding, double ruleScore)
        {
            var w = Weights;
            int n = Math.Min(w.Length, embedding.Length);
            float dot = 0;
            for (int i = 0; i < n; i++)
            {
                dot += w[i] * embedding[i];
            }

            double z = dot + (RuleWeight * ruleScore) + Bias;
            return 1.0 / (1.0 + Math.Exp(-z));
        }
    }
}
