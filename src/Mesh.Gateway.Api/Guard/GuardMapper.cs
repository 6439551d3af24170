using Mesh.Gateway.V1;
using EngineAction = Mesh.Gateway.Guardrails.GuardAction;
using EngineDirection = Mesh.Gateway.Guardrails.GuardDirection;
using EngineResult = Mesh.Gateway.Guardrails.GuardResult;
using EngineVerdict = Mesh.Gateway.Guardrails.GuardVerdict;

namespace Mesh.Gateway.Api.Guard;

/// <summary>Maps between the Guard contract and the guardrail engine.</summary>
internal static class GuardMapper
{
    internal static EngineDirection ToEngine(GuardDirection direction) => direction switch
    {
        GuardDirection.Output => EngineDirection.Output,
        GuardDirection.RetrievedDocument => EngineDirection.RetrievedDocument,
        _ => EngineDirection.Input,
    };

    internal static GuardAction ToContract(EngineAction action) => action switch
    {
        EngineAction.Report => GuardAction.Report,
        EngineAction.Redact => GuardAction.Redact,
        EngineAction.Mask => GuardAction.Mask,
        EngineAction.Hash => GuardAction.Hash,
        EngineAction.Tokenize => GuardAction.Tokenize,
        EngineAction.Block => GuardAction.Block,
        _ => GuardAction.Unspecified,
    };

    internal static GuardVerdict ToContract(EngineVerdict verdict) => verdict switch
    {
        EngineVerdict.Allow => GuardVerdict.Allow,
        EngineVerdict.Redacted => GuardVerdict.Redacted,
        EngineVerdict.Block => GuardVerdict.Block,
        _ => GuardVerdict.Unspecified,
    };

    /// <summary>Adds one text's result: its findings, and the verdict and injection score if stricter than what is there.</summary>
    internal static void Merge(InspectResponse response, EngineResult result, int messageIndex)
    {
        foreach (var f in result.Findings)
        {
            response.Findings.Add(new GuardFinding
            {
                Type = f.Type,
                Start = f.Start,
                End = f.End,
                Score = f.Score,
                Action = ToContract(f.Action),
                MessageIndex = messageIndex,
            });
        }

        var verdict = ToContract(result.Verdict);
        if (verdict > response.Verdict)
        {
            response.Verdict = verdict;
            if (result.BlockReason is { } reason)
            {
                response.BlockReason = reason;
            }
        }

        response.InjectionScore = Math.Max(response.InjectionScore, result.InjectionScore);
    }
}
