using System.Numerics.Tensors;

namespace Mesh.Gateway.CacheQuality.Learning;

/// <summary>
/// Trains the semantic cache's pair verifier (<c>Semantic/PairVerifier.cs</c>): a logistic regression over the features of
/// (question, cached question) pairs, the positives weighted so both classes weigh the same, with an L2 penalty. Full-batch
/// Adam from zero, one thread, a fixed number of steps: the same pairs give the same weights (on the same CPU's vector width).
/// </summary>
internal static class VerifierTrainer
{
    internal sealed record Settings(int Steps = 1500, float LearningRate = 0.02f, float L2 = 1e-4f);

    /// <summary>The weights (one per feature) and the bias.</summary>
    internal static (float[] Weights, float Bias) Train(IReadOnlyList<float[]> features, IReadOnlyList<bool> same, Settings settings, Action<string>? log = null)
    {
        var n = features.Count;
        var d = features[0].Length;
        var positives = same.Count(static s => s);
        var positiveWeight = (n - positives) / (float)Math.Max(1, positives);
        var w = new float[d + 1];
        var m = new float[d + 1];
        var v = new float[d + 1];
        var grad = new float[d + 1];
        var total = positives * positiveWeight + (n - positives);
        const float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
        for (var step = 1; step <= settings.Steps; step++)
        {
            Array.Clear(grad);
            var loss = 0d;
            for (var i = 0; i < n; i++)
            {
                var z = TensorPrimitives.Dot(w.AsSpan(0, d), features[i]) + w[d];
                var p = 1f / (1f + MathF.Exp(-z));
                var y = same[i] ? 1f : 0f;
                var weight = same[i] ? positiveWeight : 1f;
                loss -= weight * (same[i] ? Math.Log(Math.Max(p, 1e-7)) : Math.Log(Math.Max(1 - p, 1e-7)));
                var g = weight * (p - y) / total;
                TensorPrimitives.MultiplyAdd(features[i], g, grad.AsSpan(0, d), grad.AsSpan(0, d));
                grad[d] += g;
            }

            for (var j = 0; j < d; j++)
            {
                grad[j] += settings.L2 * w[j];
            }

            var correction1 = 1 - MathF.Pow(beta1, step);
            var correction2 = 1 - MathF.Pow(beta2, step);
            for (var j = 0; j <= d; j++)
            {
                m[j] = (beta1 * m[j]) + ((1 - beta1) * grad[j]);
                v[j] = (beta2 * v[j]) + ((1 - beta2) * grad[j] * grad[j]);
                w[j] -= settings.LearningRate * (m[j] / correction1) / (MathF.Sqrt(v[j] / correction2) + epsilon);
            }

            if (log is not null && (step % 250 == 0 || step == 1))
            {
                log($"step {step}: loss {loss / total:F4}");
            }
        }

        return (w[..d], w[d]);
    }
}
