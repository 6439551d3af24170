using System.Security.Cryptography;
using System.Text;
using Mesh.Gateway.Guardrails.Moderation;
using Mesh.Gateway.Guardrails.Pii;

namespace Mesh.Gateway.Guardrails.Internal;

/// <summary>A <see cref="GuardPolicy"/> turned into lookups the hot path can use without parsing strings.</summary>
internal sealed class CompiledPolicy
{
    private static readonly byte[] ProcessKey = RandomNumberGenerator.GetBytes(32);

    private readonly Dictionary<string, double> _thresholds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GuardAction> _actions = new(StringComparer.Ordinal);
    private readonly double[] _moderationThresholds = new double[ModerationCategories.All.Count];

    private CompiledPolicy(GuardPolicy policy)
    {
        Source = policy;
        PiiKinds kinds = PiiKinds.None;
        if (policy.Pii.Enabled)
        {
            if (policy.Pii.Entities.Count == 0)
            {
                kinds = PiiKinds.All;
            }
            else
            {
                foreach (string name in policy.Pii.Entities)
                {
                    if (PiiKindNames.TryParse(name, out PiiKinds k))
                    {
                        kinds |= k;
                    }
                }
            }
        }

        Kinds = kinds;
        foreach (var (name, o) in policy.Pii.Overrides)
        {
            string type = PiiKindNames.Canonical(name);
            if (o.Threshold is double th)
            {
                _thresholds[type] = th;
            }

            if (o.Action is GuardAction a)
            {
                _actions[type] = a;
            }
        }

        for (int c = 0; c < ModerationCategories.All.Count; c++)
        {
            _moderationThresholds[c] = policy.Moderation.Categories.TryGetValue(ModerationCategories.All[c], out double th) ? th : policy.Moderation.Threshold;
        }

        HashKey = policy.HashKey is { Length: > 0 } key ? Encoding.UTF8.GetBytes(key) : ProcessKey;
        NeedsVault = policy.Pii.Action == GuardAction.Tokenize || _actions.ContainsValue(GuardAction.Tokenize);
    }

    internal GuardPolicy Source { get; }

    internal PiiKinds Kinds { get; }

    internal byte[] HashKey { get; }

    internal bool NeedsVault { get; }

    internal static CompiledPolicy Create(GuardPolicy policy) => new(policy);

    internal double PiiThreshold(string type) => _thresholds.TryGetValue(type, out double th) ? th : Source.Pii.Threshold;

    internal GuardAction PiiAction(string type) => _actions.TryGetValue(type, out GuardAction a) ? a : Source.Pii.Action;

    internal double ModerationThreshold(int category) => _moderationThresholds[category];

    internal bool RunsInjection(GuardDirection direction) =>
        Source.Injection.Enabled && (direction != GuardDirection.Output || Source.Injection.OnOutput);

    internal bool RunsModeration(GuardDirection direction) =>
        Source.Moderation.Enabled && (direction == GuardDirection.Output ? Source.Moderation.OnOutput : Source.Moderation.OnInput);
}
