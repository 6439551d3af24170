using Mesh.Gateway.Core.Caching;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Prompts;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Tokenizers;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>
/// The limits step: admits the call (or refuses it with RESOURCE_EXHAUSTED), then settles the reservation with the usage the
/// provider reported, whichever way the call ends (response, error, a stream read to its end, or one abandoned mid-way),
/// and writes the call's ledger record. Where the provider reported no usage (cancelled, cut by the deadline, the upstream or
/// a guardrail, or simply none sent) it charges the prompt and the output delivered, counted with the gateway's tokenizer.
/// </summary>
internal sealed class LimitsStep(IMeshLimiter limiter, IUsageLedger ledger, IPromptTokenEstimator estimator, TimeProvider time, TokenCounter tokens) : IInferenceStep
{
    public async ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextStep);
        context.Properties.TryGetValue(LimitsPropertyKeys.DoorFields, out var door);
        var tenantId = context.Identity?.TenantId ?? string.Empty;

        // The estimate only sizes the reservation: a call no limit or budget charges skips counting its prompt (a tokenizer pass
        // per call, docs/0024). The Envoy door reports the reserved tokens to its proxy, so it always gets the estimate.
        var skipEstimate = door is null && !limiter.MayCharge(tenantId);
        var request = new LimitRequest
        {
            TenantId = tenantId,
            KeyId = context.Identity?.KeyId,
            Model = context.Model,
            EstimatedInputTokens = skipEstimate ? 0 : context.ChatRequest is { } chat ? estimator.EstimateInputTokens(chat) : EstimateEmbeddings(context),
            MaxOutputTokens = context.Operation == InferenceOperation.Embeddings ? 0 : context.ChatRequest?.MaxOutputTokens,
            Streaming = context.IsStreaming,
            Prompt = context.Properties.TryGetValue(PromptCall.Key, out var prompt) ? prompt.Name : null,
            Charges = door is null ? LimitCharges.All : LimitCharges.All & ~door.ChargedBefore,
        };

        var decision = await limiter.AdmitAsync(request, cancellationToken).ConfigureAwait(false);
        context.Properties.Set(LimitsPropertyKeys.RateLimitHeaders, decision.Headers);
        if (!decision.IsAllowed)
        {
            var denial = decision.Denial!;
            if (door is not null)
            {
                door.HttpStatus = denial.HttpStatus;
            }

            await WriteRecordAsync(context, request, null, UsageRecord.Denied, 0m).ConfigureAwait(false);
            return InferenceResult.Failure(ToGatewayError(denial));
        }

        var lease = decision.Lease!;
        context.Properties.Set(LimitsPropertyKeys.Lease, lease);
        InferenceResult result;
        try
        {
            result = await nextStep(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await FinishAsync(context, lease, context.Usage, UsageRecord.Cancelled, UsageRecord.ReasonCancelled, null).ConfigureAwait(false);
            throw;
        }
        catch
        {
            await FinishAsync(context, lease, context.Usage, UsageRecord.Error, null, null).ConfigureAwait(false);
            throw;
        }

        if (result.IsError)
        {
            if (door is { HttpStatus: 0 })
            {
                // A step's own refusal after admission (a remote check): the door renders it with the code's status.
                door.HttpStatus = result.Error.Code.ToHttpStatus();
            }

            await FinishAsync(context, lease, context.Usage, UsageRecord.Error, CutReason(result.Error, delivered: false), null).ConfigureAwait(false);
            return result;
        }

        if (result.Response is { } response)
        {
            var output = new DeliveredOutput();
            output.Add(response);
            await FinishAsync(context, lease, context.Usage ?? response.Usage, UsageRecord.Ok, UsageRecord.ReasonUsageMissing, output).ConfigureAwait(false);
            return result;
        }

        if (result.Embeddings is { } embeddings)
        {
            await FinishAsync(context, lease, context.Usage ?? new ChatUsage { InputTokens = embeddings.InputTokens }, UsageRecord.Ok, UsageRecord.ReasonUsageMissing, null).ConfigureAwait(false);
            return result;
        }

        return result.WithStage(new SettleWhenDone(this, context, lease), CancellationToken.None);
    }

    /// <summary>The gateway error a denial becomes: RESOURCE_EXHAUSTED (or UNAVAILABLE when the store is down and the limit fails closed).</summary>
    public static GatewayError ToGatewayError(LimitDenial denial)
    {
        ArgumentNullException.ThrowIfNull(denial);
        return new GatewayError
        {
            Code = denial.Kind == LimitKind.StoreUnavailable ? GatewayErrorCode.Unavailable : GatewayErrorCode.ResourceExhausted,
            Message = denial.Message,
            Reason = denial.IsBudget ? GatewayErrorReasons.BudgetExceeded : GatewayErrorReasons.RateLimited,
            RetryAfter = denial.RetryAfter,
            QuotaViolations = [.. denial.Violations.Select(v => new GatewayQuotaViolation(v.Subject, v.Description))],
            Metadata = new Dictionary<string, string> { ["limit"] = MeshLimiter.ConfigName(denial.Kind), ["scope"] = denial.Scope.ToString().ToLowerInvariant() },
        };
    }

    // Counts what the stream delivers and settles once it is over, whichever way: "cancelled" unless it completes (a door that
    // stops reading ends it all the same). No async layer of its own: it runs in the stream's one loop of stages.
    private sealed class SettleWhenDone(LimitsStep step, InferenceContext context, LimitLease lease) : IInferenceStreamStage
    {
        private readonly DeliveredOutput _delivered = new();
        private string _status = UsageRecord.Cancelled;
        private string? _reason = UsageRecord.ReasonCancelled;
        private ChatUsage? _lastUsage;

        public bool OnItem(in InferenceStreamItem item, List<InferenceStreamItem> output)
        {
            if (item.IsError)
            {
                _status = UsageRecord.Error;
                _reason = CutReason(item.Error, _delivered.Any);
            }
            else if (item.IsTextDelta)
            {
                // A door's plain text delta: counted as it is, no chunk made for it.
                _delivered.AddText(item.TextDelta);
            }
            else
            {
                // Counted as delivered once handed to the door: a caller that stops reading after it has had it.
                var chunk = item.Chunk;
                _delivered.Add(chunk);
                if (chunk.Usage is { } usage)
                {
                    _lastUsage = usage;
                }
            }

            output.Add(item);
            return true;
        }

        public void OnCompleted(List<InferenceStreamItem> output)
        {
            if (_status != UsageRecord.Error)
            {
                // A stream a guardrail cut (its step stopped reading upstream, so the provider's usage never came) is charged
                // what the gateway counted, as a guardrail cut.
                _status = UsageRecord.Ok;
                _reason = context.Properties.TryGetValue(InferencePropertyKeys.GuardrailActions, out var actions) && actions.Contains(InferencePropertyKeys.CutResponse)
                    ? UsageRecord.ReasonGuardrailCut
                    : UsageRecord.ReasonUsageMissing;
            }
        }

        public ValueTask OnEndAsync() => step.FinishAsync(context, lease, context.Usage ?? _lastUsage, _status, _reason, _delivered);
    }

    // Why a call that failed is charged what the gateway counted; null when it is not charged (the provider refused it, so
    // bills nothing). A deadline or a guardrail ends a call the provider has started on; a break after output is a cut.
    private static string? CutReason(GatewayError error, bool delivered) => error.Reason switch
    {
        GatewayErrorReasons.TotalTimeout => UsageRecord.ReasonDeadline,
        GatewayErrorReasons.Blocked => UsageRecord.ReasonGuardrailCut,
        _ => delivered ? UsageRecord.ReasonUpstreamCut : null,
    };

    private async ValueTask FinishAsync(InferenceContext context, LimitLease lease, ChatUsage? reported, string status, string? reason, DeliveredOutput? delivered)
    {
        // A cache hit made no upstream call: it counted against request limits at admission, and against token budgets
        // only when the operator says so; the ledger records the original usage and what the hit saved.
        if (context.Properties.TryGetValue(ResponseCacheHit.Key, out var hit))
        {
            var charged = await lease.SettleAsync(hit.ChargeTokens ? hit.OriginalUsage : ChatUsage.Empty, context.ServedTarget?.Model, CancellationToken.None).ConfigureAwait(false);
            await WriteRecordAsync(context, lease.Request, hit.OriginalUsage, status, hit.ChargeTokens ? charged : 0m, hit: hit).ConfigureAwait(false);
            return;
        }

        // Reported usage wins; a call that reached the upstream and reported none (or none for its output before it was cut)
        // is charged what the gateway counts, and that charge settles the limits and budgets like a reported one.
        var usage = IsReported(reported) ? reported : null;
        string? unreported = null;
        var estimated = false;
        if (reason is not null && context.Attempts > 0 && (usage is null || (status != UsageRecord.Ok && delivered?.Any == true)))
        {
            if (context.Properties.TryGetValue(LimitsPropertyKeys.DoorFields, out var door) && door.GeneratedText is { } generated)
            {
                delivered = new DeliveredOutput();
                delivered.Add(new ChatChunk { TextDelta = generated });
            }

            var (counted, isEstimate) = Count(context, lease, delivered ?? new DeliveredOutput());
            if (usage is null)
            {
                (usage, unreported, estimated) = (counted, reason, isEstimate);
            }
            else if (counted.OutputTokens > usage.OutputTokens)
            {
                // Cut after the provider reported its input (Anthropic's message_start) but before its output figures.
                (usage, unreported, estimated) = (usage with { OutputTokens = counted.OutputTokens, ReasoningTokens = Math.Max(usage.ReasoningTokens, counted.ReasoningTokens) }, reason, isEstimate);
            }
        }

        // Settling must happen even when the caller's token is already cancelled.
        var cost = await lease.SettleAsync(usage ?? ChatUsage.Empty, context.ServedTarget?.Model, CancellationToken.None).ConfigureAwait(false);
        await WriteRecordAsync(context, lease.Request, usage, status, cost, unreported, estimated).ConfigureAwait(false);
    }

    private (ChatUsage Usage, bool Estimated) Count(InferenceContext context, LimitLease lease, DeliveredOutput delivered)
    {
        var model = context.ServedTarget?.Model ?? context.Model;
        if (context.EmbeddingRequest is { } embeddings)
        {
            var tokenizer = tokens.Resolve(model);
            long input = 0;
            foreach (var text in embeddings.Inputs)
            {
                input += tokenizer.CountText(text).Tokens;
            }

            return (new ChatUsage { InputTokens = (int)Math.Min(int.MaxValue, input) }, tokenizer.Kind != Tokenizers.TokenCountKind.Exact);
        }

        var reservedOutput = lease.ReservedTokens - Math.Max(0, lease.Request.EstimatedInputTokens);
        return UnreportedUsage.Count(tokens, context.ChatRequest, model, delivered, reservedOutput);
    }

    // A provider that reports usage reports at least one token; an all-zero figure is a translator's "none".
    private static bool IsReported(ChatUsage? usage) => usage is { } u && (u.InputTokens > 0 || u.OutputTokens > 0);

    private async ValueTask WriteRecordAsync(InferenceContext context, LimitRequest request, ChatUsage? usage, string status, decimal cost, string? unreportedReason = null, bool estimated = false, ResponseCacheHit? hit = null)
    {
        context.Properties.TryGetValue(LimitsPropertyKeys.GuardrailActions, out var actions);
        context.Properties.TryGetValue(LimitsPropertyKeys.DoorFields, out var door);
        context.Properties.TryGetValue(PromptCall.Key, out var prompt);
        var servedModel = context.ServedTarget?.Model ?? request.Model;
        context.Properties.TryGetValue(RoutingPropertyKeys.Decision, out var route);
        var record = new UsageRecord
        {
            Timestamp = time.GetUtcNow(),
            RequestId = context.Properties.TryGetValue(LimitsPropertyKeys.Lease, out var lease) ? lease.ReservationId : Guid.NewGuid().ToString("N"),
            TenantId = request.TenantId,
            KeyId = request.KeyId,
            Model = servedModel,
            Route = request.Model == servedModel ? null : request.Model,
            Provider = context.ServedTarget?.Provider,
            Operation = door?.Operation ?? (context.Operation == InferenceOperation.Embeddings ? "embeddings" : "chat"),
            InputTokens = usage?.InputTokens ?? 0,
            CachedInputTokens = usage?.CachedInputTokens ?? 0,
            CacheWriteInputTokens = usage?.CacheWriteInputTokens ?? 0,
            OutputTokens = usage?.OutputTokens ?? 0,
            ReasoningTokens = usage?.ReasoningTokens ?? 0,
            ProviderReported = usage is not null && unreportedReason is null,
            UnreportedReason = unreportedReason,
            TokensEstimated = estimated,

            // The route's own price covers reported usage; what the gateway counted is priced from the price table.
            CostUsd = hit is not null ? cost : usage is null ? 0m : unreportedReason is null ? context.Cost?.Total ?? cost : cost,
            CacheHit = hit?.Kind,
            CostSavedUsd = hit?.CostSaved?.Total ?? 0m,
            LatencyMs = time.GetElapsedTime(context.StartTimestamp).TotalMilliseconds,
            Status = status,
            HttpStatus = door is null ? 0 : door.HttpStatus == 0 && status == UsageRecord.Ok ? 200 : door.HttpStatus,
            Door = context.Source switch { InferenceSource.Envoy => "envoy", InferenceSource.Http => "http", _ => "grpc" },
            GuardrailActions = actions is null ? [] : [.. actions],
            RouteTarget = route?.Target,
            RouteVariant = route?.Variant,
            PromptName = prompt?.Name,
            PromptVersion = prompt?.Version,
        };
        context.Properties.Set(LimitsPropertyKeys.UsageRecord, record);
        await ledger.WriteAsync(record, CancellationToken.None).ConfigureAwait(false);
    }

    private static long EstimateEmbeddings(InferenceContext context) =>
        context.EmbeddingRequest is { } embeddings ? embeddings.Inputs.Sum(i => (long)((System.Text.Encoding.UTF8.GetByteCount(i) + 2) / 3)) : 0;
}
