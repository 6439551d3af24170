using Mesh.Gateway.Guardrails.Learned;
using Mesh.Gateway.GuardrailsQuality.Evaluation;

namespace Mesh.Gateway.GuardrailsQuality.Learned;

/// <summary>
/// Deterministic logistic regression (full-batch gradient descent on standardized features, L2) on [embedding, rule score].
/// Every (set, label) group weighs the same within its label, and both labels weigh the same, so no one large set decides.
/// </summary>
internal static class Trainer
{
    private const int Iterations = 400;
    private const double LearningRate = 0.5;
    private const double L2 = 1e-3;

    internal static LearnedHeads.Head Train(IReadOnlyList<Sample> training, Func<Sample, float[]> embed, Func<Sample, double> rule, double negativeWeight = 1, double l2 = L2)
    {
        int n = training.Count;
        int d = 385;
        var x = new double[n][];
        var y = new double[n];
        var weight = new double[n];
        for (int i = 0; i < n; i++)
        {
            var e = embed(training[i]);
            var row = new double[d];
            for (int k = 0; k < 384; k++)
            {
                row[k] = e[k];
            }

            row[384] = rule(training[i]);
            x[i] = row;
            y[i] = training[i].Positive ? 1 : 0;
        }

        var groups = Enumerable.Range(0, n).GroupBy(i => (training[i].Set, training[i].Positive)).ToList();
        foreach (bool label in new[] { true, false })
        {
            var mine = groups.Where(g => g.Key.Positive == label).ToList();
            foreach (var g in mine)
            {
                foreach (int i in g)
                {
                    weight[i] = (label ? 1 : negativeWeight) * 0.5 / mine.Count / g.Count();
                }
            }
        }

        if (groups.All(g => g.Key.Positive) || groups.All(g => !g.Key.Positive))
        {
            throw new InvalidOperationException("Training needs both labels.");
        }

        // Standardize.
        var mean = new double[d];
        var std = new double[d];
        for (int k = 0; k < d; k++)
        {
            double m = 0;
            for (int i = 0; i < n; i++)
            {
                m += x[i][k];
            }

            m /= n;
            double v = 0;
            for (int i = 0; i < n; i++)
            {
                v += (x[i][k] - m) * (x[i][k] - m);
            }

            mean[k] = m;
            std[k] = Math.Sqrt(v / n) + 1e-6;
            for (int i = 0; i < n; i++)
            {
                x[i][k] = (x[i][k] - m) / std[k];
            }
        }

        var w = new double[d];
        double b = 0;
        var grad = new double[d];
        for (int it = 0; it < Iterations; it++)
        {
            Array.Clear(grad);
            double gb = 0;
            for (int i = 0; i < n; i++)
            {
                var row = x[i];
                double z = b;
                for (int k = 0; k < d; k++)
                {
                    z += w[k] * row[k];
                }

                double err = (1.0 / (1.0 + Math.Exp(-z)) - y[i]) * weight[i];
                gb += err;
                for (int k = 0; k < d; k++)
                {
                    grad[k] += err * row[k];
                }
            }

            for (int k = 0; k < d; k++)
            {
                w[k] -= LearningRate * (grad[k] + l2 * w[k]);
            }

            b -= LearningRate * gb;
        }

        // Back to raw features.
        var raw = new float[384];
        double bias = b;
        for (int k = 0; k < d; k++)
        {
            double wk = w[k] / std[k];
            bias -= wk * mean[k];
            if (k < 384)
            {
                raw[k] = (float)wk;
            }
        }

        return new LearnedHeads.Head(raw, w[384] / std[384], bias);
    }

    /// <summary>The same head with its bias moved so that <paramref name="threshold"/> (a probability) becomes 0.5.</summary>
    internal static LearnedHeads.Head Calibrate(LearnedHeads.Head head, double threshold)
    {
        double t = Math.Clamp(threshold, 1e-6, 1 - 1e-6);
        return head with { Bias = head.Bias - Math.Log(t / (1 - t)) };
    }
}
