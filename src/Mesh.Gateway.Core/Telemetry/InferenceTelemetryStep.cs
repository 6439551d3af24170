using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Diagnostics;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Routing;

namespace Mesh.Gateway.Core.Telemetry;

/// <summary>
/// The outermost step: one CLIENT span per call named <c>{operation} {model}</c> with the GenAI attributes, and the metrics
/// <c>gen_ai.client.token.usage</c>, <c>gen_ai.client.operation.duration</c> and <c>gen_ai.client.operation.time_to_first_chunk</c>.
/// </summary>
/// <remarks>Streams are measured until the door stops reading them (normal end, error, or cancellation). No content is recorded.</remarks>
public sealed class InferenceTelemetryStep : IInferenceStep
{
    private static readonly InferencePropertyKey<long> UpstreamStart = new("mesh.telemetry.upstream_start");

    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public InferenceTelemetryStep(TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
    }

    public async ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextStep);
        var operation = OperationName(context);
        var activity = StartSpan(context, operation);
        InferenceResult result;
        try
        {
            result = await nextStep(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Finish(activity, context, operation, "cancelled", null);
            throw;
        }
        catch (Exception ex)
        {
            Finish(activity, context, operation, ex.GetType().FullName, null);
            throw;
        }

        if (result.Stream is not null)
        {
            return result.WithStage(new StreamEnd(this, activity, context, operation), cancellationToken);
        }

        Finish(activity, context, operation, result.Error?.Reason, result.Error?.Message);
        return result;
    }

    /// <summary>A call its door refused before the steps ran (the Envoy door's Check, its header phase, a body it cannot read):
    /// the error span and <c>gen_ai.client.operation.duration</c> of a call a step refuses, from <paramref name="context"/> (its
    /// start, door, model and <see cref="InferencePropertyKeys.TraceParent"/>).</summary>
    public void RecordRefused(InferenceContext context, GatewayError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        var operation = OperationName(context);
        Finish(StartSpan(context, operation), context, operation, error.Reason, error.Message);
    }

    /// <summary>The innermost step (<see cref="InferenceStepOrder.UpstreamMark"/>) that marks when the call goes upstream, so that
    /// <c>mesh.gateway.overhead.duration</c> records the time the gateway's steps took on the request.</summary>
    public IInferenceStep CreateUpstreamMark() => new UpstreamMarkStep(_timeProvider);

    // Watches the stream for its end (ended, failed, cut or abandoned by the door), without an async layer of its own.
    private sealed class StreamEnd(InferenceTelemetryStep step, Activity? activity, InferenceContext context, string operation) : IInferenceStreamStage
    {
        private string? _errorType = "cancelled";
        private string? _errorMessage;
        private bool _failed;

        public bool OnItem(in InferenceStreamItem item, List<InferenceStreamItem> output)
        {
            if (item.IsError && !_failed)
            {
                _failed = true;
                _errorType = item.Error.Reason;
                _errorMessage = item.Error.Message;
            }

            output.Add(item);
            return true;
        }

        public void OnCompleted(List<InferenceStreamItem> output)
        {
            if (!_failed)
            {
                _errorType = null;
            }
        }

        public ValueTask OnEndAsync()
        {
            step.Finish(activity, context, operation, _errorType, _errorMessage);
            return ValueTask.CompletedTask;
        }
    }

    private static string OperationName(InferenceContext context) =>
        context.Operation == InferenceOperation.Embeddings ? GenAiOperationNames.Embeddings : GenAiOperationNames.Chat;

    private static string DoorName(InferenceSource source) => source switch
    {
        InferenceSource.Envoy => "envoy",
        InferenceSource.Http => "http",
        _ => "grpc",
    };

    // The call's CLIENT span, a child of the door's trace context: the caller's traceparent as the door read it, else
    // Activity.Current (which ASP.NET Core takes from the gRPC or HTTP request). It starts when the call arrived, which is
    // before the steps run where a door builds the call's context late (the Envoy door, once the request body is read).
    private Activity? StartSpan(InferenceContext context, string operation)
    {
        if (!GatewayTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        context.Properties.TryGetValue(InferencePropertyKeys.TraceParent, out var parent);
        var started = _timeProvider.GetUtcNow() - _timeProvider.GetElapsedTime(context.StartTimestamp);
        var name = context.Model.Length == 0 ? operation : $"{operation} {context.Model}";
        var activity = GatewayTelemetry.ActivitySource.StartActivity(name, ActivityKind.Client, parent, startTime: started);
        if (activity is { IsAllDataRequested: true })
        {
            AddRequestTags(activity, context, operation);
        }

        return activity;
    }

    private static void AddRequestTags(Activity activity, InferenceContext context, string operation)
    {
        activity.SetTag(GenAiAttributes.OperationName, operation);
        activity.SetTag(GenAiAttributes.MeshDoor, DoorName(context.Source));
        activity.SetTag(GenAiAttributes.RequestModel, context.Model);
        if (context.ConversationId is { Length: > 0 } conversation)
        {
            activity.SetTag(GenAiAttributes.ConversationId, conversation);
        }

        if (context.Properties.TryGetValue(Prompts.PromptCall.Key, out var prompt))
        {
            activity.SetTag(GenAiAttributes.PromptName, prompt.Name);
            activity.SetTag(GenAiAttributes.MeshPromptVersion, prompt.Version);
        }

        if (context.ChatRequest is { } chat)
        {
            activity.SetTag(GenAiAttributes.RequestStream, context.IsStreaming);
            if (chat.MaxOutputTokens is { } max)
            {
                activity.SetTag(GenAiAttributes.RequestMaxTokens, max);
            }

            if (chat.Temperature is { } temperature)
            {
                activity.SetTag(GenAiAttributes.RequestTemperature, temperature);
            }

            if (chat.TopP is { } topP)
            {
                activity.SetTag(GenAiAttributes.RequestTopP, topP);
            }

            if (chat.Seed is { } seed)
            {
                activity.SetTag(GenAiAttributes.RequestSeed, seed);
            }
        }
    }

    private void Finish(Activity? activity, InferenceContext context, string operation, string? errorType, string? errorMessage)
    {
        var duration = _timeProvider.GetElapsedTime(context.StartTimestamp).TotalSeconds;
        var provider = ProviderName(context.ServedTarget);
        var tags = new TagList
        {
            { GenAiAttributes.OperationName, operation },
            { GenAiAttributes.ProviderName, provider },
            { GenAiAttributes.RequestModel, context.Model },
        };
        if (context.ServedTarget is { } served)
        {
            tags.Add(GenAiAttributes.ResponseModel, served.Model);
        }

        if (context.Usage is { } usage)
        {
            var input = tags;
            input.Add(GenAiAttributes.TokenType, GenAiTokenTypes.Input);
            GatewayMetrics.TokenUsage.Record(usage.InputTokens, input);
            if (context.Operation == InferenceOperation.Chat)
            {
                var output = tags;
                output.Add(GenAiAttributes.TokenType, GenAiTokenTypes.Output);
                GatewayMetrics.TokenUsage.Record(usage.OutputTokens, output);
            }
        }

        if (context.IsStreaming && context.TimeToFirstToken is { } ttft)
        {
            GatewayMetrics.TimeToFirstChunk.Record(ttft.TotalSeconds, tags);
        }

        if (errorType is not null)
        {
            tags.Add(GenAiAttributes.ErrorType, errorType);
        }

        GatewayMetrics.OperationDuration.Record(duration, tags);
        GatewayCallLog.Completed(
            _logger, DoorName(context.Source), operation, context.Identity?.TenantId, context.Identity?.KeyId, context.Model, context.ServedTarget?.Provider,
            context.ServedTarget?.Model, errorType ?? "OK", context.Usage?.InputTokens ?? 0, context.Usage?.OutputTokens ?? 0, duration * 1000);
        if (context.Properties.TryGetValue(UpstreamStart, out var upstream))
        {
            // The gateway's own time on the request: arrival to the upstream mark, less what the door spent waiting on its peer.
            var waited = context.Properties.GetValue(InferencePropertyKeys.PeerWaitTicks, 0L);
            GatewayMetrics.Overhead.Record(_timeProvider.GetElapsedTime(context.StartTimestamp + waited, upstream).TotalSeconds, tags);
        }

        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(GenAiAttributes.ProviderName, provider);
            activity.SetTag("mesh.gateway.attempts", context.Attempts);
            if (context.ServedTarget is { } target)
            {
                activity.SetTag(GenAiAttributes.ResponseModel, target.Model);
                activity.SetTag("mesh.gateway.provider", target.Provider);
            }

            if (context.Properties.TryGetValue(RoutingPropertyKeys.Decision, out var route))
            {
                activity.SetTag(GenAiAttributes.MeshRouteStrategy, route.Strategy);
                activity.SetTag(GenAiAttributes.MeshRouteTarget, route.Target);
                if (route.Variant is not null)
                {
                    activity.SetTag(GenAiAttributes.MeshRouteVariant, route.Variant);
                }

                if (route.Rule is not null)
                {
                    activity.SetTag(GenAiAttributes.MeshRouteRule, route.Rule);
                }
            }

            if (context.Usage is { } used)
            {
                GatewayTelemetry.SetUsageTags(activity, used.InputTokens, used.OutputTokens, used.CachedInputTokens, used.CacheWriteInputTokens, used.ReasoningTokens);
            }

            if (context.TimeToFirstToken is { } first)
            {
                activity.SetTag(GenAiAttributes.ResponseTimeToFirstChunk, first.TotalSeconds);
            }

            if (errorType is not null)
            {
                activity.SetTag(GenAiAttributes.ErrorType, errorType);
                activity.SetStatus(ActivityStatusCode.Error, errorMessage ?? errorType);
            }
        }

        activity.Stop();
    }

    /// <summary>The <c>gen_ai.provider.name</c> of a served target's schema.</summary>
    public static string ProviderName(ServedTarget? target) => target?.Kind switch
    {
        null => "unknown",
        ProviderKind.OpenAI => GenAiProviderNames.OpenAI,
        ProviderKind.AzureOpenAI => GenAiProviderNames.AzureOpenAI,
        ProviderKind.Anthropic => GenAiProviderNames.Anthropic,
        ProviderKind.Gemini => GenAiProviderNames.GcpGemini,
        ProviderKind.Bedrock => GenAiProviderNames.AwsBedrock,
        ProviderKind.Mock => "mock",
        _ => target.Provider,
    };

    private sealed class UpstreamMarkStep(TimeProvider timeProvider) : IInferenceStep
    {
        public ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
        {
            context.Properties.Set(UpstreamStart, timeProvider.GetTimestamp());
            return nextStep(context, cancellationToken);
        }
    }
}
