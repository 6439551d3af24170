using System.Diagnostics;
using Envoy.Service.ExtProc.V3;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Telemetry;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Envoy.Telemetry;

/// <summary>
/// The GenAI span and metrics of one call through ext_proc, with the names the gRPC door's <see cref="InferenceTelemetryStep"/>
/// uses: a CLIENT span <c>{operation} {model}</c> parented on the app's <c>traceparent</c>, <c>gen_ai.client.token.usage</c>,
/// <c>gen_ai.client.operation.duration</c>, <c>gen_ai.client.operation.time_to_first_chunk</c> (streams), and the gateway's
/// own time on the call (<c>mesh.gateway.overhead.duration</c>: the time spent answering Envoy's messages).
/// </summary>
/// <remarks>One per ext_proc stream, fed by <c>ExtProcService</c> around each message; not thread-safe (Envoy's messages
/// on a stream are handled one at a time). Per message it reads two timestamps; the headers are looked at only on the
/// request and response headers messages, and the span is built once, at the end, from the settled usage record.</remarks>
internal sealed class EnvoyCallTelemetry(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private long _overheadTicks;
    private long _firstChunk;
    private bool _streaming;
    private string? _traceParent;
    private string? _traceState;

    /// <summary>Before a message is handled: notes what the headers say; returns the timestamp to pass to <see cref="After"/>.</summary>
    public long Before(ProcessingRequest request)
    {
        var now = time.GetTimestamp();
        switch (request.RequestCase)
        {
            case ProcessingRequest.RequestOneofCase.RequestHeaders when GatewayTelemetry.ActivitySource.HasListeners():
                foreach (var header in request.RequestHeaders.Headers?.Headers ?? [])
                {
                    if (header.Key.Equals("traceparent", StringComparison.OrdinalIgnoreCase))
                    {
                        _traceParent = EnvoyHeaders.ValueOf(header);
                    }
                    else if (header.Key.Equals("tracestate", StringComparison.OrdinalIgnoreCase))
                    {
                        _traceState = EnvoyHeaders.ValueOf(header);
                    }
                }

                break;
            case ProcessingRequest.RequestOneofCase.ResponseHeaders:
                foreach (var header in request.ResponseHeaders.Headers?.Headers ?? [])
                {
                    if (header.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase))
                    {
                        _streaming = EnvoyHeaders.ValueOf(header).StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
                    }
                }

                break;
            case ProcessingRequest.RequestOneofCase.ResponseBody when _firstChunk == 0:
                _firstChunk = now;
                break;
        }

        return now;
    }

    /// <summary>After a message is handled: adds its handling time to the gateway's overhead.</summary>
    public void After(long before) => _overheadTicks += time.GetTimestamp() - before;

    /// <summary>The call ended: records the span and metrics from the settled record (nothing for a stream that settled nothing).</summary>
    public void Finish(UsageRecord? record)
    {
        if (record is null)
        {
            return;
        }

        var operation = record.Operation == "embeddings" ? GenAiOperationNames.Embeddings : GenAiOperationNames.Chat;
        var provider = ProviderName(record.Provider);
        var errorType = record.Status == UsageRecord.Ok ? null : record.HttpStatus > 0 ? record.HttpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture) : record.Status;
        var tags = new TagList
        {
            { GenAiAttributes.OperationName, operation },
            { GenAiAttributes.ProviderName, provider },
            { GenAiAttributes.RequestModel, record.Model },
        };
        var input = tags;
        input.Add(GenAiAttributes.TokenType, GenAiTokenTypes.Input);
        GatewayMetrics.TokenUsage.Record(record.InputTokens, input);
        if (operation == GenAiOperationNames.Chat)
        {
            var output = tags;
            output.Add(GenAiAttributes.TokenType, GenAiTokenTypes.Output);
            GatewayMetrics.TokenUsage.Record(record.OutputTokens, output);
        }

        TimeSpan? firstChunk = _firstChunk == 0 ? null : time.GetElapsedTime(_started, _firstChunk);
        if (_streaming && firstChunk is { } ttft)
        {
            GatewayMetrics.TimeToFirstChunk.Record(ttft.TotalSeconds, tags);
        }

        GatewayMetrics.Overhead.Record((double)_overheadTicks / time.TimestampFrequency, tags);
        if (errorType is not null)
        {
            tags.Add(GenAiAttributes.ErrorType, errorType);
        }

        GatewayMetrics.OperationDuration.Record(time.GetElapsedTime(_started).TotalSeconds, tags);
        StartSpan(record, operation, provider, errorType, firstChunk);
    }

    private void StartSpan(UsageRecord record, string operation, string provider, string? errorType, TimeSpan? firstChunk)
    {
        if (!GatewayTelemetry.ActivitySource.HasListeners())
        {
            return;
        }

        ActivityContext.TryParse(_traceParent, _traceState, isRemote: true, out var parent);
        using var activity = GatewayTelemetry.ActivitySource.StartActivity($"{operation} {record.Model}", ActivityKind.Client, parent, startTime: _startedAt);
        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(GenAiAttributes.OperationName, operation);
            activity.SetTag(GenAiAttributes.ProviderName, provider);
            activity.SetTag(GenAiAttributes.RequestModel, record.Model);
            activity.SetTag(GenAiAttributes.RequestStream, _streaming);
            GatewayTelemetry.SetUsageTags(activity, record.InputTokens, record.OutputTokens, record.CachedInputTokens, record.CacheWriteInputTokens, record.ReasoningTokens);

            if (firstChunk is { } ttft)
            {
                activity.SetTag(GenAiAttributes.ResponseTimeToFirstChunk, ttft.TotalSeconds);
            }

            activity.SetTag("mesh.gateway.door", "envoy");
            activity.SetTag("mesh.gateway.provider", record.Provider);
            if (errorType is not null)
            {
                activity.SetTag(GenAiAttributes.ErrorType, errorType);
                activity.SetStatus(ActivityStatusCode.Error, errorType);
            }
        }

        activity.SetEndTime(_startedAt.UtcDateTime + time.GetElapsedTime(_started));
    }

    /// <summary>The call was refused before admission (ext_proc's own authentication, access, the body, the limits): the span
    /// and <c>gen_ai.client.operation.duration</c> the gRPC door records for a refused call, <c>error.type</c> the reason.</summary>
    public void Refused(ProviderApi? api, string? model, GatewayError error) =>
        RecordRefusal(time, _started, _startedAt, _traceParent, _traceState, api, model, error);

    /// <summary>A refusal of ext_authz's Check (its own timing and trace context), recorded as <see cref="Refused"/> is.</summary>
    public static void RecordRefusal(TimeProvider time, long started, DateTimeOffset startedAt, string? traceParent, string? traceState, ProviderApi? api, string? model, GatewayError error)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(error);
        var operation = api?.Operation == "embeddings" ? GenAiOperationNames.Embeddings : GenAiOperationNames.Chat;
        var provider = ProviderName(api?.Provider);
        var errorType = error.Reason;
        var tags = new TagList
        {
            { GenAiAttributes.OperationName, operation },
            { GenAiAttributes.ProviderName, provider },
            { GenAiAttributes.RequestModel, model ?? string.Empty },
            { GenAiAttributes.ErrorType, errorType },
        };
        var elapsed = time.GetElapsedTime(started);
        GatewayMetrics.OperationDuration.Record(elapsed.TotalSeconds, tags);
        if (!GatewayTelemetry.ActivitySource.HasListeners())
        {
            return;
        }

        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent);
        var name = string.IsNullOrEmpty(model) ? operation : $"{operation} {model}";
        using var activity = GatewayTelemetry.ActivitySource.StartActivity(name, ActivityKind.Client, parent, startTime: startedAt);
        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(GenAiAttributes.OperationName, operation);
            activity.SetTag(GenAiAttributes.ProviderName, provider);
            activity.SetTag(GenAiAttributes.RequestModel, model ?? string.Empty);
            activity.SetTag("mesh.gateway.door", "envoy");
            activity.SetTag(GenAiAttributes.ErrorType, errorType);
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
        }

        activity.SetEndTime(startedAt.UtcDateTime + elapsed);
    }

    // The gen_ai.provider.name of the API the app called (the same names the gRPC door gives a served target's schema).
    private static string ProviderName(string? api) => api switch
    {
        "openai" => GenAiProviderNames.OpenAI,
        "azure-openai" => GenAiProviderNames.AzureOpenAI,
        "anthropic" => GenAiProviderNames.Anthropic,
        "gemini" => GenAiProviderNames.GcpGemini,
        "bedrock" => GenAiProviderNames.AwsBedrock,
        null or "" => "unknown",
        _ => api,
    };
}
