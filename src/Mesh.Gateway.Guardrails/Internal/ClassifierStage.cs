using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Mesh.Gateway.Guardrails.Moderation;

namespace Mesh.Gateway.Guardrails.Internal;

/// <summary>Consults remote classifiers with a verdict cache, applying each policy's fail-open or fail-closed choice.</summary>
internal sealed class ClassifierStage(IGuardClassifier[] classifiers, TimeProvider timeProvider)
{
    private const int MaxCacheEntries = 10_000;
    private readonly ConcurrentDictionary<string, (DateTimeOffset Expires, GuardClassification Value)> _cache = new(StringComparer.Ordinal);

    /// <summary>The injection score to use instead of the local one, or null to keep the local score.</summary>
    internal async ValueTask<double?> InjectionAsync(string text, GuardDirection direction, ClassifierPolicy policy, double local, CancellationToken cancellationToken)
    {
        var c = await ClassifyAsync(text, GuardClassifierKind.Injection, direction, policy, cancellationToken).ConfigureAwait(false);
        if (c is null || !c.IsAvailable)
        {
            return policy.FailOpen ? null : 1.0;
        }

        return c.Scores.TryGetValue("prompt_injection", out double s) ? Math.Max(s, local) : local;
    }

    /// <summary>Per-category remote scores (max-combined with the local ones by the caller), or null when none apply.</summary>
    internal async ValueTask<double[]?> ModerationAsync(string text, GuardDirection direction, ClassifierPolicy policy, CancellationToken cancellationToken)
    {
        var c = await ClassifyAsync(text, GuardClassifierKind.Moderation, direction, policy, cancellationToken).ConfigureAwait(false);
        var scores = new double[ModerationCategories.All.Count];
        if (c is null || !c.IsAvailable)
        {
            if (policy.FailOpen)
            {
                return null;
            }

            Array.Fill(scores, 1.0);
            return scores;
        }

        for (int k = 0; k < scores.Length; k++)
        {
            scores[k] = c.Scores.TryGetValue(ModerationCategories.All[k], out double s) ? s : 0;
        }

        return scores;
    }

    private async ValueTask<GuardClassification?> ClassifyAsync(string text, GuardClassifierKind kind, GuardDirection direction, ClassifierPolicy policy, CancellationToken cancellationToken)
    {
        IGuardClassifier? classifier = Find(policy.Name);
        if (classifier is null)
        {
            return null;
        }

        string key = string.Empty;
        DateTimeOffset now = timeProvider.GetUtcNow();
        if (policy.CacheSeconds > 0)
        {
            key = CacheKey(classifier.Name, kind, text);
            if (_cache.TryGetValue(key, out var hit) && hit.Expires > now)
            {
                return hit.Value;
            }
        }

        GuardClassification result;
        try
        {
            result = await classifier.ClassifyAsync(text, kind, direction, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            result = GuardClassification.Unavailable;
        }

        if (policy.CacheSeconds > 0 && result.IsAvailable)
        {
            if (_cache.Count >= MaxCacheEntries)
            {
                _cache.Clear();
            }

            _cache[key] = (now.AddSeconds(policy.CacheSeconds), result);
        }

        return result;
    }

    private IGuardClassifier? Find(string? name)
    {
        if (name is null)
        {
            return classifiers.Length == 1 ? classifiers[0] : null;
        }

        foreach (var c in classifiers)
        {
            if (string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return c;
            }
        }

        return null;
    }

    private static string CacheKey(string name, GuardClassifierKind kind, string text)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return name + "|" + (int)kind + "|" + Convert.ToHexString(hash);
    }
}
