using System.Text;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Guardrails.Injection;
using Mesh.Gateway.Guardrails.Internal;
using Mesh.Gateway.Guardrails.Learned;
using Mesh.Gateway.Guardrails.Moderation;
using Mesh.Gateway.Guardrails.Pii;
using Mesh.Gateway.Guardrails.Telemetry;

namespace Mesh.Gateway.Guardrails;

/// <summary>The default <see cref="IGuardrailEngine"/>: local detectors, optional remote classifiers.</summary>
/// <remarks>Thread-safe and stateless apart from the classifier verdict cache.</remarks>
public sealed partial class GuardrailEngine : IGuardrailEngine
{
    internal const string InjectionType = "prompt_injection";
    private readonly ClassifierStage _classifiers;
    private readonly ITextEncoder? _encoder;

    /// <summary>An engine with no remote classifiers.</summary>
    public GuardrailEngine()
        : this([], TimeProvider.System)
    {
    }

    /// <summary>An engine that may consult <paramref name="classifiers"/> when a policy enables them.</summary>
    public GuardrailEngine(IEnumerable<IGuardClassifier> classifiers, TimeProvider timeProvider)
        : this(classifiers, timeProvider, encoder: null)
    {
    }

    /// <summary>
    /// An engine whose policies may turn on the learned detectors (<see cref="GuardPolicy.Learned"/>), which read
    /// <paramref name="encoder"/>'s sentence vector of each text. Without an encoder the rules run alone.
    /// </summary>
    public GuardrailEngine(IEnumerable<IGuardClassifier> classifiers, TimeProvider timeProvider, ITextEncoder? encoder)
    {
        ArgumentNullException.ThrowIfNull(classifiers);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _classifiers = new ClassifierStage([.. classifiers], timeProvider);
        _encoder = encoder;
    }

    /// <summary>Whether policies with <c>learned.enabled</c> get their learned detectors (an encoder was given).</summary>
    public bool HasLearnedDetectors => _encoder is not null;

    /// <inheritdoc />
    public GuardResult Inspect(string text, GuardDirection direction, GuardPolicy policy, GuardTokenVault? vault = null) =>
        Inspect(text, direction, policy, vault, embed: null);

    /// <inheritdoc />
    public GuardResult Inspect(string text, GuardDirection direction, GuardPolicy policy, GuardTokenVault? vault, Func<string, float[]>? embed)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(policy);
        var compiled = policy.Compiled;
        if (vault is null && compiled.NeedsVault)
        {
            vault = new GuardTokenVault();
        }

        var raw = new List<RawFinding>();
        double injection = Analyze(text, direction, compiled, raw, injectionOverride: null, moderationOverride: null, LearnedVector(text, direction, compiled, embed));
        var result = Build(text, raw, compiled, vault, injection);
        GuardrailsTelemetry.Record(direction, policy.Name, result.Verdict, result.Findings);
        return result;
    }

    /// <inheritdoc />
    public async ValueTask<GuardResult> InspectAsync(string text, GuardDirection direction, GuardPolicy policy, GuardTokenVault? vault = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(policy);
        var compiled = policy.Compiled;
        bool injectionRemote = compiled.RunsInjection(direction) && policy.Injection.Classifier.Enabled;
        bool moderationRemote = compiled.RunsModeration(direction) && policy.Moderation.Classifier.Enabled;
        if (!injectionRemote && !moderationRemote)
        {
            return Inspect(text, direction, policy, vault);
        }

        if (vault is null && compiled.NeedsVault)
        {
            vault = new GuardTokenVault();
        }

        double? injectionOverride = null;
        double[]? moderationOverride = null;
        if (injectionRemote)
        {
            var local = InjectionScorer.Score(text, direction);
            var inj = policy.Injection;
            if (local.Score >= inj.Classifier.MinLocalScore && local.Score < inj.Threshold)
            {
                injectionOverride = await _classifiers.InjectionAsync(text, direction, inj.Classifier, local.Score, cancellationToken).ConfigureAwait(false);
            }
        }

        if (moderationRemote)
        {
            moderationOverride = await _classifiers.ModerationAsync(text, direction, policy.Moderation.Classifier, cancellationToken).ConfigureAwait(false);
        }

        var raw = new List<RawFinding>();
        double injection = Analyze(text, direction, compiled, raw, injectionOverride, moderationOverride, LearnedVector(text, direction, compiled, embed: null));
        var result = Build(text, raw, compiled, vault, injection);
        GuardrailsTelemetry.Record(direction, policy.Name, result.Verdict, result.Findings);
        return result;
    }

    /// <inheritdoc />
    public StreamingRedactor CreateStream(GuardPolicy policy, GuardDirection direction = GuardDirection.Output, GuardTokenVault? vault = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new StreamingRedactor(policy, direction, vault);
    }

    /// <summary>The text's sentence vector when the policy's learned detectors read this direction and an encoder is present; else null.</summary>
    private float[]? LearnedVector(string text, GuardDirection direction, CompiledPolicy policy, Func<string, float[]>? embed)
    {
        if (_encoder is null || !policy.Source.Learned.Enabled || text.Length == 0 || !(policy.RunsInjection(direction) || policy.RunsModeration(direction)))
        {
            return null;
        }

        return embed?.Invoke(text) ?? _encoder.Encode(text, CancellationToken.None);
    }

    /// <summary>
    /// Runs the local detectors; returns the injection score. Findings are thresholded, actioned and overlap-free (PII), UTF-16.
    /// With <paramref name="learnedVector"/> (the text's sentence vector), the learned heads score injection and moderation
    /// from it and the rule scores, against <see cref="LearnedPolicy.Threshold"/>.
    /// </summary>
    internal static double Analyze(ReadOnlySpan<char> text, GuardDirection direction, CompiledPolicy policy, List<RawFinding> output, double? injectionOverride, double[]? moderationOverride, float[]? learnedVector = null)
    {
        int first = output.Count;
        if (policy.Kinds != PiiKinds.None)
        {
            var pii = new List<RawFinding>();
            PiiScanner.Scan(text, policy.Kinds, pii);
            pii.RemoveWhere(static (f, policy) => f.Score < policy.PiiThreshold(f.Type), policy);

            PiiScanner.ResolveOverlaps(pii);
            for (int k = 0; k < pii.Count; k++)
            {
                var f = pii[k];
                f.Action = policy.PiiAction(f.Type);
                pii[k] = f;
            }

            output.AddRange(pii);
        }

        double injectionScore = 0;
        if (policy.RunsInjection(direction))
        {
            var a = InjectionScorer.Score(text, direction);
            injectionScore = injectionOverride ?? a.Score;
            bool hit = injectionScore >= policy.Source.Injection.Threshold;
            if (learnedVector is not null && injectionOverride is null && direction == GuardDirection.Input)
            {
                // Rules OR the learned head (calibrated so that, with the rules at their default, its threshold keeps every
                // calibration set at the false-positive target). User input only: the head has no second labelled set of
                // retrieved documents to be measured on, so documents and tool results are judged by the rules.
                double learned = LearnedHeads.Shipped.Score(LearnedHeads.InjectionHead, learnedVector, a.Score);
                hit |= learned >= policy.Source.Learned.Threshold;
                injectionScore = Math.Max(injectionScore, learned);
            }

            if (hit)
            {
                (int start, int end) = a.End > a.Start ? (a.Start, a.End) : (0, text.Length);
                output.Add(new RawFinding(InjectionType, start, end, injectionScore, FindingKind.Injection) { Action = policy.Source.Injection.Action });
            }
        }

        if (policy.RunsModeration(direction))
        {
            var m = ModerationScorer.Score(text);
            for (int c = 0; c < m.Scores.Length; c++)
            {
                double score = moderationOverride is { } o ? Math.Max(o[c], m.Scores[c]) : m.Scores[c];
                bool hit = score > 0 && score >= policy.ModerationThreshold(c);
                if (learnedVector is not null && moderationOverride is null)
                {
                    double learned = LearnedHeads.Shipped.Score(ModerationCategories.All[c], learnedVector, m.Scores[c]);
                    hit |= learned >= policy.Source.Learned.Threshold;
                    score = Math.Max(score, learned);
                }

                if (hit)
                {
                    (int start, int end) = m.Ends[c] > m.Starts[c] ? (m.Starts[c], m.Ends[c]) : (0, text.Length);
                    output.Add(new RawFinding(ModerationCategories.All[c], start, end, score, FindingKind.Moderation) { Action = policy.Source.Moderation.Action });
                }
            }
        }

        _ = first;
        return injectionScore;
    }

    internal static GuardResult Build(string text, List<RawFinding> raw, CompiledPolicy policy, GuardTokenVault? vault, double injectionScore)
    {
        if (raw.Count == 0)
        {
            return new GuardResult { Verdict = GuardVerdict.Allow, Findings = [], RedactedText = text, InjectionScore = injectionScore, Vault = vault };
        }

        PiiScanner.SortByStart(raw, longerFirst: false);
        string redacted = ApplyRedactions(text, raw, policy, vault, out bool changed);
        int[]? map = CodePoints.Map(text);
        var findings = new GuardFinding[raw.Count];
        string? blockReason = null;
        double blockScore = -1;
        for (int k = 0; k < raw.Count; k++)
        {
            var f = raw[k];
            int s = map is null ? f.Start : map[f.Start];
            int e = map is null ? f.End : map[f.End];
            findings[k] = new GuardFinding(f.Type, s, e, Math.Round(f.Score, 4), f.Action) { Utf16Start = f.Start, Utf16End = f.End };
            if (f.Action == GuardAction.Block && f.Score > blockScore)
            {
                blockScore = f.Score;
                blockReason = f.Type;
            }
        }

        var verdict = blockReason is not null ? GuardVerdict.Block : changed ? GuardVerdict.Redacted : GuardVerdict.Allow;
        return new GuardResult
        {
            Verdict = verdict,
            Findings = findings,
            RedactedText = redacted,
            InjectionScore = injectionScore,
            BlockReason = blockReason,
            Vault = vault,
            Changed = changed,
        };
    }

    /// <summary>Replaces PII values (sorted, non-overlapping) under their actions.</summary>
    internal static string ApplyRedactions(string text, List<RawFinding> sorted, CompiledPolicy policy, GuardTokenVault? vault, out bool changed)
    {
        changed = false;
        StringBuilder? sb = null;
        int copied = 0;
        foreach (var f in sorted)
        {
            if (f.Kind != FindingKind.Pii || f.Start < copied)
            {
                continue;
            }

            string? replacement = Redactor.Replacement(text.AsSpan(f.Start, f.Length), f.Type, f.Action, policy, vault);
            if (replacement is null)
            {
                continue;
            }

            sb ??= new StringBuilder(text.Length);
            sb.Append(text, copied, f.Start - copied).Append(replacement);
            copied = f.End;
        }

        if (sb is null)
        {
            return text;
        }

        changed = true;
        return sb.Append(text, copied, text.Length - copied).ToString();
    }
}
