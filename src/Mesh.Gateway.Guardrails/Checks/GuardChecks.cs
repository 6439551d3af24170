using System.Collections.Concurrent;
using System.Diagnostics;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Telemetry;

namespace Mesh.Gateway.Guardrails.Checks;

/// <summary>Runs a policy's checks on one call's texts: all at once, each under its timeout; applies each check's mode
/// (enforce or audit) and on_error (open or closed); records every outcome on a <c>run_guardrail</c> span with the GenAI
/// guardrail attributes and in the call's guardrail actions (the ledger's <c>guardrail_actions</c>).</summary>
/// <remarks>Thread-safe; one instance per process. Adapters are built once per configured check (a reload's new options
/// build new ones).</remarks>
public sealed class GuardChecks
{
    private readonly ConcurrentDictionary<GuardCheckOptions, IGuardrailCheck> _built = new(ReferenceEqualityComparer.Instance);
    private readonly Func<GuardCheckOptions, IGuardrailCheck> _factory;
    private readonly TimeProvider _timeProvider;

    /// <summary>Checks over HTTP with <paramref name="http"/>; <c>llm_judge</c> checks call <paramref name="router"/> (null: no
    /// model routes in this gateway, and such a check fails as <c>route_unavailable</c>).</summary>
    public GuardChecks(HttpClient http, InferenceHandler? router, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _factory = options => options.Type switch
        {
            GuardCheckTypes.OpenAIModeration => new OpenAIModerationCheck(options, http),
            GuardCheckTypes.Webhook => new WebhookCheck(options, http),
            GuardCheckTypes.LlmJudge => new LlmJudgeCheck(options, router, timeProvider),
            _ => throw new InvalidOperationException($"unknown check type '{options.Type}' (the reader refuses it)"),
        };
    }

    /// <summary>Checks built by <paramref name="factory"/> (tests).</summary>
    internal GuardChecks(Func<GuardCheckOptions, IGuardrailCheck> factory, TimeProvider timeProvider)
    {
        _factory = factory;
        _timeProvider = timeProvider;
    }

    /// <summary>Runs <paramref name="checks"/> (those that apply to <paramref name="request"/>'s direction) and returns the
    /// finding type that blocks the call, or null to let it through.</summary>
    public async ValueTask<string?> RunAsync(IReadOnlyList<GuardCheckOptions> checks, GuardCheckRequest request, InferenceProperties properties, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checks);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(properties);
        var output = request.Direction == GuardDirection.Output;
        var applicable = checks.Where(c => output ? c.OnOutput : c.OnInput).ToList();
        if (applicable.Count == 0 || request.Texts.Count == 0)
        {
            return null;
        }

        var runs = applicable.Select(c => RunOneAsync(c, request, cancellationToken).AsTask()).ToArray();
        var outcomes = await Task.WhenAll(runs).ConfigureAwait(false);
        string? blocked = null;
        for (var i = 0; i < outcomes.Length; i++)
        {
            var (check, result) = (applicable[i], outcomes[i]);
            var action = Decide(check, result);
            properties.AddGuardrailAction(action.Ledger);
            if (action.Blocks)
            {
                blocked ??= action.Finding;
            }
        }

        return blocked;
    }

    private async ValueTask<GuardCheckResult> RunOneAsync(GuardCheckOptions options, GuardCheckRequest request, CancellationToken cancellationToken)
    {
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("run_guardrail " + options.Name, ActivityKind.Client);
        var started = _timeProvider.GetTimestamp();
        GuardCheckResult result;
        using (var timeout = new CancellationTokenSource(options.Timeout, _timeProvider))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                result = await _built.GetOrAdd(options, _factory).CheckAsync(request, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                result = GuardCheckResult.Failed("timeout");
            }
        }

        if (activity is not null)
        {
            Tag(activity, options, request, result, Decide(options, result), _timeProvider.GetElapsedTime(started));
        }

        return result;
    }

    // The action a result leads to: its ledger word, whether it blocks and the finding type a block names.
    private static (string Ledger, bool Blocks, string Finding) Decide(GuardCheckOptions check, GuardCheckResult result)
    {
        var prefix = "check:" + check.Name + ":";
        if (result.Error is not null)
        {
            return check.FailOpen ? (prefix + "error_open", false, string.Empty) : (prefix + "error_closed", true, "check_unavailable:" + check.Name);
        }

        if (!result.Flagged)
        {
            return (prefix + "allow", false, string.Empty);
        }

        return check.Mode == GuardCheckMode.Audit
            ? (prefix + "audit:" + result.Reason, false, string.Empty)
            : (prefix + "block:" + result.Reason, true, check.Name + ":" + result.Reason);
    }

    private static void Tag(Activity activity, GuardCheckOptions check, GuardCheckRequest request, GuardCheckResult result, (string Ledger, bool Blocks, string Finding) action, TimeSpan elapsed)
    {
        activity.SetTag(GenAiAttributes.OperationName, "run_guardrail");
        activity.SetTag(GenAiAttributes.GuardrailComponentName, check.Name);
        activity.SetTag(GenAiAttributes.GuardrailTargetType, request.Direction == GuardDirection.Output ? "output" : "input");
        activity.SetTag(GenAiAttributes.GuardrailTargetSubtype, "llm");
        activity.SetTag(GenAiAttributes.GuardrailPolicyId, request.Policy);
        activity.SetTag(GenAiAttributes.GuardrailVerdictType, result.Error is not null ? "escalate" : !result.Flagged ? "allow" : check.Mode == GuardCheckMode.Audit ? "warn" : "deny");
        activity.SetTag(GenAiAttributes.GuardrailActionType, action.Blocks ? "block" : "allow");
        activity.SetTag("mesh.gateway.guardrail.check.type", check.Type);
        activity.SetTag("mesh.gateway.guardrail.check.mode", check.Mode == GuardCheckMode.Audit ? "audit" : "enforce");
        activity.SetTag("mesh.gateway.guardrail.check.duration_ms", elapsed.TotalMilliseconds);
        if (result.Flagged)
        {
            activity.SetTag(GenAiAttributes.GuardrailRiskCategory, result.Reason);
            activity.SetTag(GenAiAttributes.GuardrailVerdictReason, result.Reason);
        }

        if (result.Score is { } score)
        {
            activity.SetTag(GenAiAttributes.GuardrailRiskScore, score);
        }

        if (result.Error is { } error)
        {
            activity.SetTag(GenAiAttributes.ErrorType, error);
            activity.SetStatus(ActivityStatusCode.Error, error);
        }
    }

    internal static string DirectionName(GuardDirection direction) => direction switch
    {
        GuardDirection.Output => "output",
        GuardDirection.RetrievedDocument => "retrieved_document",
        _ => "input",
    };
}
