using System.Numerics.Tensors;

namespace Mesh.Gateway.CacheQuality.Learning;

/// <summary>
/// Trains the semantic cache's projection (<c>Semantic/CacheProjection.cs</c>): a linear map from the encoder's 384
/// dimensions to <see cref="Settings.Outputs"/>, started from the principal directions of the training vectors, then trained
/// on every pair of a batch (<see cref="Settings.PerIntent"/> questions of each of <see cref="Settings.Batch"/> different
/// intents) as a decision at a margin: the same intent above it, different intents below it. An L2 pull towards the start
/// keeps what the encoder knows about other domains. Adam, a fixed seed, one thread: the same data gives the same weights
/// (on the same CPU's vector width).
/// </summary>
internal static class ProjectionTrainer
{
    internal sealed record Settings(int Outputs = 128, int Batch = 64, int PerIntent = 4, int Steps = 1500, float Scale = 20f, float Margin = 0.75f, float LearningRate = 5e-4f, float Pull = 1e-2f, bool Contrastive = true, int Seed = 18);

    internal static float[] Train(IReadOnlyList<IReadOnlyList<float[]>> intents, int inputs, Settings settings, Action<string>? log = null)
    {
        var outputs = settings.Outputs;
        var start = Principal(intents.SelectMany(static i => i).ToList(), inputs, outputs);
        var w = (float[])start.Clone();
        var m = new float[w.Length];
        var v = new float[w.Length];
        var grad = new float[w.Length];
        var random = new Random(settings.Seed);
        var usable = Enumerable.Range(0, intents.Count).Where(i => intents[i].Count >= settings.PerIntent).ToArray();
        var groups = Math.Min(settings.Batch, usable.Length);
        var n = groups * settings.PerIntent;
        var x = new float[n][];
        var label = new int[n];
        var z = new float[n][];
        var norms = new float[n];
        var dz = new float[n][];
        for (var i = 0; i < n; i++)
        {
            z[i] = new float[outputs];
            dz[i] = new float[outputs];
        }

        const float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
        var picked = new List<int>();
        for (var step = 1; step <= settings.Steps; step++)
        {
            // PerIntent different questions of each of `groups` different intents.
            random.Shuffle(usable);
            for (var g = 0; g < groups; g++)
            {
                var texts = intents[usable[g]];
                picked.Clear();
                while (picked.Count < settings.PerIntent)
                {
                    var k = random.Next(texts.Count);
                    if (!picked.Contains(k))
                    {
                        picked.Add(k);
                    }
                }

                for (var k = 0; k < settings.PerIntent; k++)
                {
                    x[(g * settings.PerIntent) + k] = texts[picked[k]];
                    label[(g * settings.PerIntent) + k] = g;
                }
            }

            for (var i = 0; i < n; i++)
            {
                for (var o = 0; o < outputs; o++)
                {
                    z[i][o] = TensorPrimitives.Dot(w.AsSpan(o * inputs, inputs), x[i]);
                }

                norms[i] = TensorPrimitives.Norm(z[i]);
                TensorPrimitives.Divide(z[i], norms[i], z[i]);
                Array.Clear(dz[i]);
            }

            var loss = settings.Contrastive ? InfoNce(z, dz, groups, settings) : MarginPairs(z, dz, label, groups, settings);
            Array.Clear(grad);
            for (var i = 0; i < n; i++)
            {
                // Back through the normalization.
                var along = TensorPrimitives.Dot(z[i], dz[i]);
                TensorPrimitives.MultiplyAdd(z[i], -along, dz[i], dz[i]);
                TensorPrimitives.Divide(dz[i], norms[i], dz[i]);
                for (var o = 0; o < outputs; o++)
                {
                    TensorPrimitives.MultiplyAdd(x[i], dz[i][o], grad.AsSpan(o * inputs, inputs), grad.AsSpan(o * inputs, inputs));
                }
            }

            // The pull towards the start, then Adam.
            var correction1 = 1 - MathF.Pow(beta1, step);
            var correction2 = 1 - MathF.Pow(beta2, step);
            for (var k = 0; k < w.Length; k++)
            {
                var gk = grad[k] + (2 * settings.Pull * (w[k] - start[k]));
                m[k] = (beta1 * m[k]) + ((1 - beta1) * gk);
                v[k] = (beta2 * v[k]) + ((1 - beta2) * gk * gk);
                w[k] -= settings.LearningRate * (m[k] / correction1) / (MathF.Sqrt(v[k] / correction2) + epsilon);
            }

            if (log is not null && (step % 250 == 0 || step == 1))
            {
                log($"step {step}: loss {loss:F4}");
            }
        }

        return w;
    }


    // Every pair is a binary decision at the margin: same intent above Margin, different below it (logistic, scale Scale).
    // Both kinds weigh half.
    private static double MarginPairs(float[][] z, float[][] dz, int[] label, int groups, Settings settings)
    {
        var n = z.Length;
        var positives = groups * settings.PerIntent * (settings.PerIntent - 1) / 2;
        var negatives = (n * (n - 1) / 2) - positives;
        var loss = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var same = label[i] == label[j];
                var cosine = TensorPrimitives.Dot(z[i], z[j]);
                var logit = settings.Scale * (cosine - settings.Margin) * (same ? 1 : -1);
                var weight = same ? 0.5 / positives : 0.5 / negatives;
                loss += weight * (logit > 30 ? Math.Exp(-logit) : Math.Log(1 + Math.Exp(-logit)));
                var dcos = (float)(-weight * settings.Scale * (same ? 1 : -1) / (1 + Math.Exp(logit)));
                TensorPrimitives.MultiplyAdd(z[j], dcos, dz[i], dz[i]);
                TensorPrimitives.MultiplyAdd(z[i], dcos, dz[j], dz[j]);
            }
        }

        return loss;
    }

    // Symmetric InfoNCE on the first two questions of each intent (anchor, partner): each must be closer to its partner than
    // to the other intents' questions, at temperature 1/Scale.
    private static double InfoNce(float[][] z, float[][] dz, int groups, Settings settings)
    {
        var per = settings.PerIntent;
        var s = new double[groups, groups];
        for (var a = 0; a < groups; a++)
        {
            for (var p = 0; p < groups; p++)
            {
                s[a, p] = settings.Scale * TensorPrimitives.Dot(z[a * per], z[(p * per) + 1]);
            }
        }

        var g = new double[groups, groups];
        var loss = 0.0;
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < groups; i++)
            {
                double At(int j) => pass == 0 ? s[i, j] : s[j, i];
                var max = double.MinValue;
                for (var j = 0; j < groups; j++)
                {
                    max = Math.Max(max, At(j));
                }

                var sum = 0.0;
                for (var j = 0; j < groups; j++)
                {
                    sum += Math.Exp(At(j) - max);
                }

                loss += -(At(i) - max - Math.Log(sum)) / (2 * groups);
                for (var j = 0; j < groups; j++)
                {
                    var d = ((Math.Exp(At(j) - max) / sum) - (i == j ? 1 : 0)) / (2 * groups);
                    if (pass == 0)
                    {
                        g[i, j] += d;
                    }
                    else
                    {
                        g[j, i] += d;
                    }
                }
            }
        }

        for (var a = 0; a < groups; a++)
        {
            for (var p = 0; p < groups; p++)
            {
                var d = (float)(g[a, p] * settings.Scale);
                TensorPrimitives.MultiplyAdd(z[(p * per) + 1], d, dz[a * per], dz[a * per]);
                TensorPrimitives.MultiplyAdd(z[a * per], d, dz[(p * per) + 1], dz[(p * per) + 1]);
            }
        }

        return loss;
    }

    /// <summary>The top <paramref name="outputs"/> principal directions (of the uncentred vectors), as rows, by subspace iteration.</summary>
    internal static float[] Principal(IReadOnlyList<float[]> vectors, int inputs, int outputs)
    {
        var c = new double[inputs * inputs];
        foreach (var x in vectors)
        {
            for (var i = 0; i < inputs; i++)
            {
                for (var j = 0; j < inputs; j++)
                {
                    c[(i * inputs) + j] += x[i] * x[j];
                }
            }
        }

        if (outputs == inputs)
        {
            var identity = new float[inputs * inputs];
            for (var i = 0; i < inputs; i++)
            {
                identity[(i * inputs) + i] = 1;
            }

            return identity;
        }

        var random = new Random(7);
        var q = new double[outputs][];
        for (var k = 0; k < outputs; k++)
        {
            q[k] = [.. Enumerable.Range(0, inputs).Select(_ => random.NextDouble() - 0.5)];
        }

        for (var iteration = 0; iteration < 40; iteration++)
        {
            for (var k = 0; k < outputs; k++)
            {
                var next = new double[inputs];
                for (var i = 0; i < inputs; i++)
                {
                    var sum = 0.0;
                    for (var j = 0; j < inputs; j++)
                    {
                        sum += c[(i * inputs) + j] * q[k][j];
                    }

                    next[i] = sum;
                }

                q[k] = next;
            }

            Orthonormalize(q);
        }

        var rows = new float[outputs * inputs];
        for (var k = 0; k < outputs; k++)
        {
            for (var i = 0; i < inputs; i++)
            {
                rows[(k * inputs) + i] = (float)q[k][i];
            }
        }

        return rows;
    }

    private static void Orthonormalize(double[][] q)
    {
        for (var k = 0; k < q.Length; k++)
        {
            for (var j = 0; j < k; j++)
            {
                var dot = 0.0;
                for (var i = 0; i < q[k].Length; i++)
                {
                    dot += q[k][i] * q[j][i];
                }

                for (var i = 0; i < q[k].Length; i++)
                {
                    q[k][i] -= dot * q[j][i];
                }
            }

            var norm = Math.Sqrt(q[k].Sum(static x => x * x));
            for (var i = 0; i < q[k].Length; i++)
            {
                q[k][i] /= norm;
            }
        }
    }
}
