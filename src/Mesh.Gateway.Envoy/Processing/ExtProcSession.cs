using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;
using Envoy.Type.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Envoy.Authorization;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Providers.Wire;
using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Tenancy.Limits;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>One ext_proc stream = one HTTP request and its response: the state machine that answers each of Envoy's messages.</summary>
/// <remarks>Answers exactly one message of the matching type per request message (none in observability mode). Request path:
/// headers (recognise the API, tenant, custody) → buffered body (parse, then the pipeline's steps: access, request guardrails,
/// limits' admission, ...). Response path: headers (switch SSE to STREAMED through mode_override) → body chunks (usage,
/// response guardrails) → the steps get the answer, the limits step settles it, and its record becomes dynamic metadata on
/// the last answer. Whatever happens, the steps are completed exactly once (<see cref="EndAsync"/> completes them with a
/// cancellation when Envoy ended the stream), so an admitted request is settled once. Not thread-safe: Envoy's messages on
/// one stream are handled one at a time.</remarks>
internal sealed partial class ExtProcSession
{
    private const string ExtAuthzNamespace = "envoy.filters.http.ext_authz";
    private static readonly Dictionary<string, string> EmptyHeaders = [];

    private readonly ExtProcDependencies _deps;
    private Phase _request = Phase.ExpectHeaders;
    private Phase _response = Phase.ExpectHeaders;
    private bool _finished;
    private ProviderApi? _api;
    private TenantOptions? _tenant;
    private CallIdentity? _identity;
    // The ledger fields the limits step cannot see (operation, HTTP status) and what Check charged already.
    private readonly DoorCallFields _ledger = new();
    private long _started;
    // When the request headers were answered, then how long Envoy took to send the body after them (not the gateway's time).
    private long _headersAnswered;
    private long _peerWait;
    private bool _requestHasContentLength;
    private BodySendMode _requestBodyMode = BodySendMode.Buffered;
    private BodySendMode _responseBodyMode = BodySendMode.Buffered;
    private ArrayBufferWriter<byte>? _requestBody;
    private ArrayBufferWriter<byte>? _responseBody;
    private bool _responseBodyTooLarge;
    private RequestBodyResult? _body;
    // The limits step admitted the call (it holds a lease the step settles whichever way the call ends).
    private bool _admitted;
    private int _status;
    private bool _responseHasContentLength;

    // A tool call of the model's in a whole JSON answer was blocked (the answer ends with the schema's content-filter signal).
    private bool _toolCallBlocked;
    private bool _wholeCut;
    private bool _recorded;
    private SseResponseProcessor? _sse;
    private UsageAccumulator? _jsonUsage;
    private string? _jsonCompletion;

    public ExtProcSession(ExtProcDependencies deps)
    {
        _deps = deps;
    }

    private enum Phase
    {
        ExpectHeaders,
        ExpectBody,
        Done,
    }

    /// <summary>Who is calling, once the request headers are processed (from ext_authz, or ext_proc's own authentication).</summary>
    public CallIdentity? Identity => _identity;

    /// <summary>Why the request was refused before it was admitted (null when it was admitted or not an AI API call).</summary>
    public GatewayError? Refusal { get; private set; }

    /// <summary>The provider API the request calls, once its headers are processed.</summary>
    public ProviderApi? Api => _api;

    /// <summary>The model the request names (path or body), once known.</summary>
    public string? RequestModel => _body?.Model ?? _api?.PathModel;

    /// <summary>The ledger record the limits step wrote for the admitted request, once settled (tests, diagnostics).</summary>
    public UsageRecord? Record { get; private set; }

    /// <summary>Handles one message; returns the answer, or null when none is due (observability mode, after an immediate response).</summary>
    public async ValueTask<ProcessingResponse?> HandleAsync(ProcessingRequest request, CancellationToken cancellationToken)
    {
        if (request.ProtocolConfig is { } config)
        {
            _requestBodyMode = config.RequestBodyMode;
            _responseBodyMode = config.ResponseBodyMode;
        }

        if (_finished)
        {
            // Envoy ignores messages after processing completed; nothing to answer.
            return null;
        }

        var response = request.RequestCase switch
        {
            ProcessingRequest.RequestOneofCase.RequestHeaders => await OnRequestHeadersAsync(request, cancellationToken).ConfigureAwait(false),
            ProcessingRequest.RequestOneofCase.RequestBody => await OnRequestBodyAsync(request.RequestBody, cancellationToken).ConfigureAwait(false),
            ProcessingRequest.RequestOneofCase.RequestTrailers => OnRequestTrailers(),
            ProcessingRequest.RequestOneofCase.ResponseHeaders => await OnResponseHeadersAsync(request.ResponseHeaders, cancellationToken).ConfigureAwait(false),
            ProcessingRequest.RequestOneofCase.ResponseBody => await OnResponseBodyAsync(request.ResponseBody, cancellationToken).ConfigureAwait(false),
            ProcessingRequest.RequestOneofCase.ResponseTrailers => await OnResponseTrailersAsync(cancellationToken).ConfigureAwait(false),
            _ => throw new RpcException(new Status(global::Grpc.Core.StatusCode.InvalidArgument, "ProcessingRequest carries no request, headers, body or trailers.")),
        };

        return request.ObservabilityMode ? null : response;
    }

    /// <summary>The stream ended (Envoy closed or cancelled it): settle what was used if nobody has.</summary>
    public async ValueTask EndAsync(bool cancelled, CancellationToken cancellationToken)
    {
        EndRoute(responded: _response == Phase.Done);
        await CompletePipelineAsync(cancelled: _response != Phase.Done).ConfigureAwait(false);
        TakeRecord();
        _ = cancelled;
        _ = cancellationToken;
    }

    private async ValueTask<ProcessingResponse> OnRequestHeadersAsync(ProcessingRequest request, CancellationToken cancellationToken)
    {
        if (_request != Phase.ExpectHeaders)
        {
            throw Violation("request_headers received twice");
        }

        _started = _deps.Time.GetTimestamp();
        var message = request.RequestHeaders;
        var headers = EnvoyHeaders.ToDictionary(message.Headers);
        _requestHeaders = headers;
        _requestHasContentLength = headers.ContainsKey("content-length");
        _request = message.EndOfStream ? Phase.Done : Phase.ExpectBody;
        _api = ProviderApiRecognizer.Recognize(headers.GetValueOrDefault(":path"));
        var mutation = new HeaderMutation();
        if (_api is null)
        {
            // Not an AI API call: nothing to inspect on this stream.
            _finished = true;
            return HeadersAnswer(mutation);
        }

        var options = _deps.Options;
        if (options.AuthenticateInExtProc)
        {
            var outcome = await _deps.Access.EvaluateAsync(headers, headers.GetValueOrDefault(":path"), null, null, cancellationToken).ConfigureAwait(false);
            if (!outcome.Allowed)
            {
                return Immediate(outcome.Error!);
            }

            _tenant = outcome.Authentication!.Tenant;
            _identity = outcome.Authentication.Identity;
            foreach (var (name, value) in outcome.HeadersToSet)
            {
                mutation.SetHeaders.Add(EnvoyHeaders.ExtProcSet(name, value, options.WriteRawValue));
            }

            mutation.RemoveHeaders.AddRange(outcome.HeadersToRemove);
        }
        else
        {
            var authz = AuthzMetadata(request);
            var id = MetadataString(authz, CallIdentity.MetadataTenant) ?? headers.GetValueOrDefault(options.TenantHeader);
            _tenant = _deps.Access.Authenticator.FindTenant(id);
            if (_tenant is null)
            {
                // Deny by default: ext_authz did not vouch for this request.
                return Immediate(EnvoyErrors.Create(GatewayErrorCode.Unauthenticated, GatewayErrorReasons.MissingApiKey, "The request was not authenticated by the gateway."));
            }

            var keyId = MetadataString(authz, CallIdentity.MetadataKeyId) ?? headers.GetValueOrDefault(CheckHandler.KeyIdHeader);
            _identity = new CallIdentity(_tenant.Id, string.IsNullOrEmpty(keyId) ? null : keyId, CallIdentity.Trusted);
            _ledger.ChargedBefore = CheckHandler.ParseLimitCharges(authz is null
                ? headers.GetValueOrDefault(CheckHandler.LimitsChargedHeader)
                : MetadataString(authz, CheckHandler.LimitsChargedKey));
        }

        // Check's notes to ext_proc go no further upstream.
        foreach (var note in (ReadOnlySpan<string>)[CheckHandler.KeyIdHeader, CheckHandler.LimitsChargedHeader])
        {
            if (headers.ContainsKey(note))
            {
                mutation.RemoveHeaders.Add(note);
            }
        }

        if (_api.PathModel is { } pathModel && CallerAccess.Authorize(_tenant!, _api.Operation, pathModel, prompt: null) is { } denied)
        {
            // A model in the path (Azure deployment, Gemini) the tenant may not use: refused before the body is read, with
            // the authentication step's decision.
            return Immediate(EnvoyErrors.FromStep(denied));
        }

        if (options.StripAcceptEncoding && headers.ContainsKey("accept-encoding"))
        {
            // Compressed SSE cannot be inspected chunk by chunk.
            mutation.RemoveHeaders.Add("accept-encoding");
        }

        if (_request == Phase.Done)
        {
            _finished = _api.Operation != "chat" && _api.Operation != "responses" && _api.Operation != "embeddings";
        }

        _headersAnswered = _deps.Time.GetTimestamp();
        return HeadersAnswer(mutation);
    }

    private async ValueTask<ProcessingResponse> OnRequestBodyAsync(HttpBody body, CancellationToken cancellationToken)
    {
        if (_request != Phase.ExpectBody)
        {
            throw Violation("request_body before request_headers or after the request ended");
        }

        _requestBody ??= new ArrayBufferWriter<byte>(Math.Max(body.Body.Length, 256));
        if (_requestBody.WrittenCount + body.Body.Length > _deps.Options.MaxRequestBodyBytes)
        {
            return Immediate(EnvoyErrors.Create(GatewayErrorCode.InvalidArgument, GatewayErrorReasons.RequestTooLarge,
                $"The request body exceeds the gateway's limit of {_deps.Options.MaxRequestBodyBytes} bytes."));
        }

        _requestBody.Write(body.Body.Span);
        var whole = body.EndOfStream || _requestBodyMode == BodySendMode.Buffered;
        if (!whole)
        {
            // STREAMED request body (not the recommended setup): each chunk must be answered now; inspect at the end, unchanged.
            return new ProcessingResponse { RequestBody = new BodyResponse { Response = new CommonResponse() } };
        }

        _request = Phase.Done;
        if (_headersAnswered != 0)
        {
            _peerWait = _deps.Time.GetTimestamp() - _headersAnswered;
        }

        var canRewrite = _requestBodyMode is BodySendMode.Buffered or BodySendMode.BufferedPartial;
        var result = RequestBodyEditor.Process(_requestBody.WrittenMemory, _api!, _deps.Options.ForceStreamUsage && canRewrite, forPipeline: !_deps.Pipeline.IsEmpty);
        _body = result;
        if (result.Error is { } error)
        {
            return Immediate(error);
        }

        var model = result.Model ?? string.Empty;
        var api = _api!;
        if (PickRoute(model.Length > 0 ? model : api.PathModel ?? string.Empty, result.Streaming, canRewrite) is { } unroutable)
        {
            return Immediate(unroutable);
        }

        // The steps' request half, in the pipeline's order: access (the authentication step authorizes the body's model and
        // the operation for the tenant Check vouched for), the request guardrails (a blocked prompt is refused before
        // it is admitted), limits (admission; the step settles the call however it ends and writes its ledger record), a
        // cache lookup (a hit is admitted, then answered by the step).
        if (!_deps.Pipeline.IsEmpty)
        {
            _ledger.Operation = api.Operation;
            if (await RunPipelineAsync(result, model, cancellationToken).ConfigureAwait(false) is { } stepAnswer)
            {
                EndRoute(responded: false);
                return await AnswerWithStepAsync(stepAnswer, model, cancellationToken).ConfigureAwait(false);
            }
        }

        var common = new CommonResponse();
        if (ApplyRoute(common, _rewrittenBody ?? result.NewBody) is { } newBody && canRewrite)
        {
            // The array is this answer's own (serialized for it, never written again): wrapped, not copied.
            common.BodyMutation = new BodyMutation { Body = UnsafeByteOperations.UnsafeWrap(newBody) };
            if (_requestHasContentLength)
            {
                // Envoy checks content-length against a BUFFERED body mutation (500 on mismatch); fix it in the same answer.
                common.HeaderMutation ??= new HeaderMutation();
                common.HeaderMutation.SetHeaders.Add(EnvoyHeaders.ExtProcSet("content-length", newBody.Length.ToString(CultureInfo.InvariantCulture), _deps.Options.WriteRawValue));
            }
        }

        var answer = new ProcessingResponse { RequestBody = new BodyResponse { Response = common } };
        if (_admitted && _context!.Properties.TryGetValue(LimitsPropertyKeys.Lease, out var lease))
        {
            // For Envoy's global rate limiter (descriptors from %DYNAMIC_METADATA(ns:key)%): who, which model, what was reserved.
            var fields = new Struct
            {
                Fields =
                {
                    ["tenant"] = Value.ForString(_identity!.TenantId),
                    ["model"] = Value.ForString(model),
                    ["reserved_tokens"] = Value.ForNumber((lease.Request.Charges & LimitCharges.Usage) != 0 ? lease.ReservedTokens : 0),
                },
            };
            if (_identity.KeyId is { } keyId)
            {
                fields.Fields["key_id"] = Value.ForString(keyId);
            }

            answer.DynamicMetadata = new Struct { Fields = { [_deps.Options.MetadataNamespace] = Value.ForStruct(fields) } };
        }

        return answer;
    }

    private ProcessingResponse OnRequestTrailers()
    {
        _request = Phase.Done;
        return new ProcessingResponse { RequestTrailers = new TrailersResponse() };
    }

    private async ValueTask<ProcessingResponse> OnResponseHeadersAsync(HttpHeaders message, CancellationToken cancellationToken)
    {
        if (_response != Phase.ExpectHeaders)
        {
            throw Violation("response_headers received twice");
        }

        var headers = EnvoyHeaders.ToDictionary(message.Headers);
        _status = int.TryParse(headers.GetValueOrDefault(":status"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        _route?.Attempt.FirstOutput();
        _responseHasContentLength = headers.ContainsKey("content-length");
        var answer = new ProcessingResponse { ResponseHeaders = new HeadersResponse { Response = new CommonResponse() } };
        if (_admitted && _context!.Properties.TryGetValue(LimitsPropertyKeys.RateLimitHeaders, out var limits) && limits != RateLimitHeaders.None)
        {
            // Remaining requests and tokens, as the providers report them.
            answer.ResponseHeaders.Response.HeaderMutation = new HeaderMutation();
            foreach (var (name, value) in limits.ToHeaders())
            {
                answer.ResponseHeaders.Response.HeaderMutation.SetHeaders.Add(EnvoyHeaders.ExtProcSet(name, value, _deps.Options.WriteRawValue));
            }
        }

        if (message.EndOfStream)
        {
            _response = Phase.Done;
            await FinishAsync(answer, cancellationToken).ConfigureAwait(false);
            return answer;
        }

        _response = Phase.ExpectBody;
        var contentType = headers.GetValueOrDefault("content-type") ?? string.Empty;
        var isSse = contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
        if (isSse && _status is >= 200 and < 300)
        {
            _sse = new SseResponseProcessor(_api!.Codec, ResponseGuard(), stripUsageOnly: _body?.UsageForced == true);
            if (_responseBodyMode != BodySendMode.Streamed)
            {
                // Chunks must flow as they come: switch this response to STREAMED. Body modes in an override are taken
                // literally, so the request mode is copied (the request body is already done either way).
                answer.ModeOverride = new ProcessingMode { RequestBodyMode = _requestBodyMode, ResponseBodyMode = BodySendMode.Streamed };
                _responseBodyMode = BodySendMode.Streamed;
            }

            answer.ResponseHeaders.Response.HeaderMutation ??= new HeaderMutation();
            answer.ResponseHeaders.Response.HeaderMutation.RemoveHeaders.Add("content-length");
        }

        return answer;
    }

    private async ValueTask<ProcessingResponse> OnResponseBodyAsync(HttpBody body, CancellationToken cancellationToken)
    {
        if (_response != Phase.ExpectBody)
        {
            throw Violation("response_body before response_headers or after the response ended");
        }

        if (_context is { TimeToFirstToken: null } call)
        {
            // The first of the answer reaches the gateway (the telemetry step's time to first chunk).
            call.TimeToFirstToken = _deps.Time.GetElapsedTime(call.StartTimestamp);
        }

        var answer = new ProcessingResponse { ResponseBody = new BodyResponse { Response = new CommonResponse() } };
        if (_sse is not null)
        {
            var replacement = _sse.OnChunk(body.Body.Span, body.EndOfStream);
            if (replacement is not null)
            {
                answer.ResponseBody.Response.BodyMutation = new BodyMutation { Body = ByteString.CopyFrom(replacement.Value.Span) };
            }

            FeedStream(body.EndOfStream);
        }
        else
        {
            _responseBody ??= new ArrayBufferWriter<byte>(Math.Max(body.Body.Length, 256));
            if (_responseBody.WrittenCount + body.Body.Length <= _deps.Options.MaxRequestBodyBytes)
            {
                _responseBody.Write(body.Body.Span);
            }
            else
            {
                _responseBodyTooLarge = true;
            }

            if ((body.EndOfStream || _responseBodyMode == BodySendMode.Buffered) && await InspectWholeResponseAsync(answer.ResponseBody.Response).ConfigureAwait(false) is { } error)
            {
                answer = Immediate(error);
                _status = EnvoyErrors.HttpStatus(error);
            }
        }

        if (body.EndOfStream)
        {
            _response = Phase.Done;
            await FinishAsync(answer, cancellationToken).ConfigureAwait(false);
        }

        return answer;
    }

    private async ValueTask<ProcessingResponse> OnResponseTrailersAsync(CancellationToken cancellationToken)
    {
        var answer = new ProcessingResponse { ResponseTrailers = new TrailersResponse() };
        if (_sse is not null && _response != Phase.Done)
        {
            _sse.OnChunk([], endOfStream: true);
        }

        _response = Phase.Done;
        await FinishAsync(answer, cancellationToken).ConfigureAwait(false);
        return answer;
    }

    // A whole (BUFFERED) JSON response: usage, and, when the response guardrails inspect the call's answer, the response
    // steps run on it (its text parts kept apart, its tool calls) and what they return written back where each part was. An
    // error when the body cannot be read: the client must not get text nobody inspected.
    private async ValueTask<GatewayError?> InspectWholeResponseAsync(CommonResponse common)
    {
        if (_api is null)
        {
            return null;
        }

        // What the guardrails must see before the client does: a successful BUFFERED response of a call they inspect.
        var inspect = ResponseGuarded && _status is >= 200 and < 300 && _responseBodyMode == BodySendMode.Buffered;
        if (_responseBodyTooLarge && inspect)
        {
            return Uninspectable("larger than envoy.max_request_body_bytes");
        }

        if (_responseBody is null || _responseBody.WrittenCount == 0)
        {
            return null;
        }

        // A UTF-8 byte order mark is not JSON, but clients (Python's json.loads on bytes) accept it.
        var json = _responseBody.WrittenMemory;
        if (json.Span.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        JsonNode node;
        List<string> texts = [];
        List<ChatToolCall> calls = [];
        try
        {
            using (var doc = JsonDocument.Parse(json))
            {
                _jsonUsage = new UsageAccumulator();
                _jsonUsage.Observe(_api.Codec, doc.RootElement);
            }

            if (!inspect)
            {
                return null;
            }

            node = JsonNode.Parse(json.Span)!;
            _ = ResponseTexts.MapAllText(node, text =>
            {
                texts.Add(text);
                return text;
            });
            _ = _api.Codec.GuardResponseToolCalls(node, (name, arguments) =>
            {
                calls.Add(new ChatToolCall(string.Empty, name, arguments));
                return arguments;
            });
        }
        catch (JsonException)
        {
            // Not JSON: an upstream error page has nothing to count or inspect; a successful answer that is not JSON cannot
            // be inspected either.
            return inspect ? Uninspectable("not JSON") : null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // JSON the guardrails cannot read without ambiguity: a property named twice (JsonNode refuses it, and a
            // redaction of one copy would leave the other for a client that keeps it) or a lone surrogate escape.
            return Uninspectable(ex is ArgumentException ? "a property named twice" : "a string that is not valid UTF-16");
        }

        var (guardedTexts, guardedCalls, cut, error) = await GuardWholeAsync(texts, calls).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        _jsonCompletion = string.Concat(guardedTexts);
        var next = 0;
        var changed = ResponseTexts.MapAllText(node, _ => guardedTexts[next++]);
        if (calls.Count > 0)
        {
            var call = 0;
            var (toolsChanged, toolsBlocked) = _api.Codec.GuardResponseToolCalls(node, (_, _) => guardedCalls?[call++].ArgumentsJson);
            changed |= toolsChanged;
            _toolCallBlocked = toolsBlocked;
        }

        if (cut)
        {
            // As the streamed cut ends: the caller's SDK reads why the answer stopped, whichever door it came through.
            _api.Codec.MarkContentFiltered(node);
            _wholeCut = changed = true;
        }

        if (changed)
        {
            var bytes = JsonText.Serialize(node);
            common.BodyMutation = new BodyMutation { Body = UnsafeByteOperations.UnsafeWrap(bytes) };
            if (_responseHasContentLength)
            {
                common.HeaderMutation = new HeaderMutation();
                common.HeaderMutation.SetHeaders.Add(EnvoyHeaders.ExtProcSet("content-length", bytes.Length.ToString(CultureInfo.InvariantCulture), _deps.Options.WriteRawValue));
            }
        }

        return null;
    }

    private GatewayError Uninspectable(string reason)
    {
        Log.ResponseUninspectable(_deps.Logger, _api?.Provider ?? string.Empty, reason);
        return EnvoyErrors.Create(GatewayErrorCode.Internal, GatewayErrorReasons.UpstreamResponseUninspectable,
            $"The provider's response could not be inspected by the gateway's guardrails ({reason}), so it was not delivered.");
    }

    private async ValueTask FinishAsync(ProcessingResponse answer, CancellationToken cancellationToken)
    {
        EndRoute(responded: true);
        _finished = true;
        await CompletePipelineAsync(cancelled: false).ConfigureAwait(false);
        _ = cancellationToken;
        if (TakeRecord() is not { } record)
        {
            return;
        }

        var fields = new Struct
        {
            Fields =
            {
                ["tenant"] = Value.ForString(record.TenantId),
                ["provider"] = Value.ForString(record.Provider ?? string.Empty),
                ["operation"] = Value.ForString(record.Operation ?? string.Empty),
                ["model"] = Value.ForString(record.Model),
                ["input_tokens"] = Value.ForNumber(record.InputTokens),
                ["output_tokens"] = Value.ForNumber(record.OutputTokens),
                ["total_tokens"] = Value.ForNumber(record.TotalTokens),
                ["cached_input_tokens"] = Value.ForNumber(record.CachedInputTokens),
                ["reasoning_tokens"] = Value.ForNumber(record.ReasoningTokens),
                ["provider_reported"] = Value.ForBool(record.ProviderReported),
            },
        };
        if (record.KeyId is { } keyId)
        {
            fields.Fields["key_id"] = Value.ForString(keyId);
        }

        answer.DynamicMetadata = new Struct { Fields = { [_deps.Options.MetadataNamespace] = Value.ForStruct(fields) } };
    }

    // The ledger record the limits step wrote when it settled the admitted call (once the pipeline has finished), taken once.
    private UsageRecord? TakeRecord()
    {
        if (_recorded || !_admitted || _context is null || !_context.Properties.TryGetValue(LimitsPropertyKeys.UsageRecord, out var record))
        {
            return null;
        }

        _recorded = true;
        Record = record;
        Log.Settled(_deps.Logger, record.Provider ?? string.Empty, record.Operation ?? string.Empty, record.TenantId, record.Status, record.InputTokens, record.OutputTokens);
        _deps.RecentUsage.Add(record);
        return record;
    }

    // What the door's own response guardrails did, for the limits step's ledger record (the steps add theirs themselves).
    private void NoteGuardrailActions()
    {
        var toolCallBlocked = _toolCallBlocked || _sse?.ToolCallCut == true;
        if (_sse?.Cut == true || _wholeCut || toolCallBlocked)
        {
            _context!.Properties.AddGuardrailAction(InferencePropertyKeys.CutResponse);
        }

        if (toolCallBlocked)
        {
            _context!.Properties.AddGuardrailAction(InferencePropertyKeys.CutToolCall);
        }
    }

    private static ProcessingResponse HeadersAnswer(HeaderMutation mutation)
    {
        var common = new CommonResponse();
        if (mutation.SetHeaders.Count > 0 || mutation.RemoveHeaders.Count > 0)
        {
            common.HeaderMutation = mutation;
        }

        return new ProcessingResponse { RequestHeaders = new HeadersResponse { Response = common } };
    }

    private ProcessingResponse Immediate(GatewayError error)
    {
        if (!_admitted && _api is not null)
        {
            Refusal = error;
            if (_context is null)
            {
                // Refused before the steps ran (ext_proc's own authentication, the path model, the body, the route): the
                // telemetry step records it as it records a step's refusal.
                _deps.Telemetry?.RecordRefused(
                    EnvoyCallContext.Refused(_api, RequestModel, _body?.Streaming ?? false, _started, _requestHeaders ?? EmptyHeaders, _identity), error);
            }
        }

        return Immediate(EnvoyErrors.HttpStatus(error), "application/json", EnvoyErrors.Render(_api, error), "mesh_gateway_" + EnvoyErrors.WireCode(error));
    }

    // Envoy's local reply in place of the upstream's: this ends the exchange.
    private ProcessingResponse Immediate(int status, string contentType, byte[] body, string details)
    {
        _finished = true;
        _request = _response = Phase.Done;
        var headers = new HeaderMutation();
        headers.SetHeaders.Add(EnvoyHeaders.ExtProcSet("content-type", contentType, _deps.Options.WriteRawValue));
        return new ProcessingResponse
        {
            ImmediateResponse = new ImmediateResponse
            {
                Status = new HttpStatus { Code = (global::Envoy.Type.V3.StatusCode)status },
                Headers = headers,
                Body = ByteString.CopyFrom(body),
                Details = details,
            },
        };
    }

    /// <summary>ext_authz's dynamic metadata, when Envoy forwards it (metadata_options.forwarding_namespaces).</summary>
    private static Struct? AuthzMetadata(ProcessingRequest request) =>
        request.MetadataContext is { } metadata && metadata.FilterMetadata.TryGetValue(ExtAuthzNamespace, out var authz) ? authz : null;

    private static string? MetadataString(Struct? metadata, string key) =>
        metadata is not null && metadata.Fields.TryGetValue(key, out var value) && value.KindCase == Value.KindOneofCase.StringValue
            ? value.StringValue
            : null;

    private RpcException Violation(string reason)
    {
        Log.ProtocolViolation(_deps.Logger, reason);
        return new RpcException(new Status(global::Grpc.Core.StatusCode.FailedPrecondition, "ext_proc message out of order: " + reason));
    }
}
