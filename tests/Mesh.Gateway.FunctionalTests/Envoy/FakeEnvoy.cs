using System.Globalization;
using System.Text;
using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace Mesh.Gateway.FunctionalTests.Envoy;

/// <summary>Plays Envoy's ext_authz and ext_proc filters against the sidecar and forwards to an upstream over real HTTP.</summary>
/// <remarks>Enforces the rules Envoy enforces (reference §3): exactly one answer per message, of the matching type (an
/// immediate response is accepted on either path); headers before body (a body is sent only after the headers answer);
/// a per-message timeout; ext_proc header values in raw_value only (value set ⇒ empty header in Envoy, both ⇒ error);
/// content-length equal to a BUFFERED body mutation; mode_override honoured (allow_mode_override on). Configured like
/// sidecar/deploy/envoy/envoy.yaml: the gateway's Envoy listener (the Unix socket, or TCP with the secret the manifests send in
/// grpc_service.initial_metadata), ext_authz with the whole body (max_request_bytes 4 MiB, no partial message), ext_proc
/// request/response BUFFERED, ext_authz metadata forwarded.</remarks>
public sealed class FakeEnvoy(GrpcChannel channel, Uri upstream, TimeSpan messageTimeout, string? secret = null)
{
    /// <summary>ext_authz's with_request_body.max_request_bytes in the shipped manifests (envoy.max_request_body_bytes).</summary>
    public const int MaxRequestBytes = 4 * 1024 * 1024;

    // grpc_service.initial_metadata: sent on every ext_authz and ext_proc call.
    private global::Grpc.Core.Metadata? InitialMetadata => secret is null ? null : new global::Grpc.Core.Metadata { { "x-mesh-envoy-secret", secret } };

    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "host", "connection", "transfer-encoding", "te", "upgrade", "keep-alive",
    };

    /// <summary>How the upstream response body is cut into chunks in STREAMED mode (default: 64-byte chunks).</summary>
    public Func<byte[], IEnumerable<int>> ChunkLengths { get; set; } = body => Enumerable.Repeat(64, (body.Length + 63) / 64);

    /// <summary>
    /// Clusters by name, routed to as a route with <c>cluster_header: x-mesh-upstream</c> and <c>host_rewrite_header:
    /// x-mesh-upstream-host</c> does (sidecar/deploy/envoy/envoy-routing.yaml) when ext_proc's answer also clears the route
    /// cache; empty: every request goes to the upstream given at construction.
    /// </summary>
    public IReadOnlyDictionary<string, Uri> Clusters { get; set; } = new Dictionary<string, Uri>();

    /// <summary>Stop after this many response chunks and cancel the ext_proc stream (a client going away mid-stream).</summary>
    public int? CancelAfterResponseChunks { get; set; }

    public async Task<EnvoyExchange> SendAsync(string method, string path, IReadOnlyDictionary<string, string> headers, byte[]? body, CancellationToken cancellationToken)
    {
        var exchange = new EnvoyExchange();
        var request = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [":method"] = method,
            [":path"] = path,
            [":authority"] = upstream.Authority,
            [":scheme"] = "http",
        };
        foreach (var (k, v) in headers)
        {
            request[k.ToLowerInvariant()] = v;
        }

        if (body is not null)
        {
            request["content-length"] = body.Length.ToString(CultureInfo.InvariantCulture);
        }

        // ext_authz
        var check = await CheckAsync(request, body, cancellationToken);
        if (check.HttpResponseCase == CheckResponse.HttpResponseOneofCase.DeniedResponse || (check.Status is { Code: not 0 }))
        {
            exchange.LocalReplyBy = "ext_authz";
            exchange.Status = check.DeniedResponse?.Status?.Code is { } code and not 0 ? (int)code : 403;
            foreach (var h in check.DeniedResponse?.Headers ?? [])
            {
                exchange.ResponseHeaders[h.Header.Key] = h.Header.Value;
            }

            exchange.ResponseBody = Encoding.UTF8.GetBytes(check.DeniedResponse?.Body ?? string.Empty);
            return exchange;
        }

        exchange.AuthzMetadata = check.DynamicMetadata;
        foreach (var name in check.OkResponse?.HeadersToRemove ?? [])
        {
            if (!name.StartsWith(':') && name != "host")
            {
                request.Remove(name);
            }
        }

        foreach (var h in check.OkResponse?.Headers ?? [])
        {
#pragma warning disable CS0612
            if (h.Append == true)
#pragma warning restore CS0612
            {
                throw new EnvoyRuleViolationException($"ext_authz asked to append to '{h.Header.Key}'; this gateway only overwrites");
            }

            request[h.Header.Key] = h.Header.Value; // ext_authz reads value, not raw_value
        }

        // ext_proc
        var client = new ExternalProcessor.ExternalProcessorClient(channel);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = client.Process(headers: InitialMetadata, cancellationToken: cts.Token);
        var metadata = new global::Envoy.Config.Core.V3.Metadata();
        if (check.DynamicMetadata is { } authz)
        {
            metadata.FilterMetadata["envoy.filters.http.ext_authz"] = authz;
        }

        var first = new ProcessingRequest
        {
            RequestHeaders = new HttpHeaders { Headers = ToHeaderMap(request), EndOfStream = body is null },
            MetadataContext = metadata,
            ProtocolConfig = new ProtocolConfiguration { RequestBodyMode = BodySendMode.Buffered, ResponseBodyMode = BodySendMode.Buffered },
        };
        var answer = await ExchangeAsync(call, first, ProcessingResponse.ResponseOneofCase.RequestHeaders, exchange);
        if (answer.ResponseCase == ProcessingResponse.ResponseOneofCase.ImmediateResponse)
        {
            return await LocalReplyAsync(call, answer.ImmediateResponse, exchange);
        }

        Apply(request, answer.RequestHeaders.Response?.HeaderMutation, "request headers");
        if (body is not null)
        {
            answer = await ExchangeAsync(call, new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFrom(body), EndOfStream = true } },
                ProcessingResponse.ResponseOneofCase.RequestBody, exchange);
            if (answer.ResponseCase == ProcessingResponse.ResponseOneofCase.ImmediateResponse)
            {
                return await LocalReplyAsync(call, answer.ImmediateResponse, exchange);
            }

            var common = answer.RequestBody.Response;
            Apply(request, common?.HeaderMutation, "request body");
            body = MutateBuffered(body, common?.BodyMutation, request);
            exchange.ClearedRouteCache |= common?.ClearRouteCache == true && common.HeaderMutation is not null;
        }

        // Upstream: the route is picked again only when ext_proc cleared the route cache (the header mutation came with it).
        var target = upstream;
        if (exchange.ClearedRouteCache && request.TryGetValue("x-mesh-upstream", out var cluster))
        {
            // No clusters given: every cluster is the one upstream.
            target = Clusters.Count == 0 ? upstream : Clusters.TryGetValue(cluster, out var routed) ? routed : throw new EnvoyRuleViolationException($"no cluster '{cluster}' (Envoy answers 503 NC)");
            exchange.Cluster = cluster;
        }

        exchange.UpstreamPath = request[":path"];
        exchange.UpstreamHeaders = new Dictionary<string, string>(request, StringComparer.Ordinal);
        using var http = new HttpClient();
        using var upstreamRequest = new HttpRequestMessage(new HttpMethod(method), new Uri(target, request[":path"]));
        if (body is not null)
        {
            upstreamRequest.Content = new ByteArrayContent(body);
        }

        foreach (var (k, v) in request)
        {
            if (k.StartsWith(':') || HopHeaders.Contains(k))
            {
                continue;
            }

            if (!upstreamRequest.Headers.TryAddWithoutValidation(k, v))
            {
                upstreamRequest.Content?.Headers.TryAddWithoutValidation(k, v);
            }
        }

        using var upstreamResponse = await http.SendAsync(upstreamRequest, cancellationToken);
        var responseBody = await upstreamResponse.Content.ReadAsByteArrayAsync(cancellationToken);
        var response = new Dictionary<string, string>(StringComparer.Ordinal) { [":status"] = ((int)upstreamResponse.StatusCode).ToString(CultureInfo.InvariantCulture) };
        foreach (var h in upstreamResponse.Headers.Concat(upstreamResponse.Content.Headers))
        {
            response[h.Key.ToLowerInvariant()] = string.Join(',', h.Value);
        }

        response["content-length"] = responseBody.Length.ToString(CultureInfo.InvariantCulture);
        answer = await ExchangeAsync(call, new ProcessingRequest { ResponseHeaders = new HttpHeaders { Headers = ToHeaderMap(response), EndOfStream = responseBody.Length == 0 } },
            ProcessingResponse.ResponseOneofCase.ResponseHeaders, exchange);
        if (answer.ResponseCase == ProcessingResponse.ResponseOneofCase.ImmediateResponse)
        {
            return await LocalReplyAsync(call, answer.ImmediateResponse, exchange);
        }

        var mode = BodySendMode.Buffered;
        if (answer.ModeOverride is { } mo)
        {
            mode = mo.ResponseBodyMode; // body modes in an override are taken literally
        }

        Apply(response, answer.ResponseHeaders.Response?.HeaderMutation, "response headers");
        if (mode is BodySendMode.Streamed)
        {
            response.Remove("content-length");
            var output = new List<byte>();
            var offset = 0;
            var sent = 0;
            foreach (var length in ChunkLengths(responseBody))
            {
                var size = Math.Min(length, responseBody.Length - offset);
                var last = offset + size >= responseBody.Length;
                if (CancelAfterResponseChunks is { } limit && sent == limit)
                {
                    // The client went away: Envoy resets the ext_proc stream.
                    await cts.CancelAsync();
                    exchange.Status = int.Parse(response[":status"], CultureInfo.InvariantCulture);
                    exchange.ResponseBody = [.. output];
                    return exchange;
                }

                answer = await ExchangeAsync(call, new ProcessingRequest { ResponseBody = new HttpBody { Body = ByteString.CopyFrom(responseBody, offset, size), EndOfStream = last } },
                    ProcessingResponse.ResponseOneofCase.ResponseBody, exchange);
                var mutation = answer.ResponseBody.Response?.BodyMutation;
                if (mutation is null || mutation.MutationCase == BodyMutation.MutationOneofCase.None)
                {
                    output.AddRange(responseBody.AsSpan(offset, size).ToArray());
                }
                else if (mutation.MutationCase == BodyMutation.MutationOneofCase.Body)
                {
                    output.AddRange(mutation.Body.ToByteArray());
                }
                else if (mutation.MutationCase == BodyMutation.MutationOneofCase.StreamedResponse)
                {
                    throw new EnvoyRuleViolationException("streamed_response outside FULL_DUPLEX_STREAMED (spurious message)");
                }

                offset += size;
                sent++;
                if (last)
                {
                    break;
                }
            }

            responseBody = [.. output];
        }
        else if (responseBody.Length > 0)
        {
            answer = await ExchangeAsync(call, new ProcessingRequest { ResponseBody = new HttpBody { Body = ByteString.CopyFrom(responseBody), EndOfStream = true } },
                ProcessingResponse.ResponseOneofCase.ResponseBody, exchange);
            Apply(response, answer.ResponseBody.Response?.HeaderMutation, "response body");
            responseBody = MutateBuffered(responseBody, answer.ResponseBody.Response?.BodyMutation, response);
        }

        // Envoy closes the stream once nothing more will be sent: END_STREAM, then a reset.
        await call.RequestStream.CompleteAsync();
        await cts.CancelAsync();
        exchange.Status = int.Parse(response[":status"], CultureInfo.InvariantCulture);
        foreach (var (k, v) in response)
        {
            if (!k.StartsWith(':'))
            {
                exchange.ResponseHeaders[k] = v;
            }
        }

        // ext_authz's response_headers_to_add go onto the response Envoy sends downstream.
        foreach (var h in check.OkResponse?.ResponseHeadersToAdd ?? [])
        {
            exchange.ResponseHeaders[h.Header.Key] = h.Header.Value;
        }

        exchange.ResponseBody = responseBody;
        return exchange;
    }

    private async Task<CheckResponse> CheckAsync(Dictionary<string, string> request, byte[]? body, CancellationToken cancellationToken)
    {
        var http = new AttributeContext.Types.HttpRequest
        {
            Id = "1",
            Method = request[":method"],
            Path = request[":path"],
            Host = request[":authority"],
            Scheme = "http",
            Protocol = "HTTP/1.1",
            Size = body?.Length ?? 0,
        };
        foreach (var (k, v) in request)
        {
            http.Headers[k] = v;
        }

        if (body is not null)
        {
            if (body.Length > MaxRequestBytes)
            {
                // allow_partial_message off: Envoy answers 413 itself and never calls Check.
                return new CheckResponse { Status = new Google.Rpc.Status { Code = 8 }, DeniedResponse = new DeniedHttpResponse { Status = new global::Envoy.Type.V3.HttpStatus { Code = global::Envoy.Type.V3.StatusCode.PayloadTooLarge } } };
            }

            http.RawBody = ByteString.CopyFrom(body);
        }

        var client = new global::Envoy.Service.Auth.V3.Authorization.AuthorizationClient(channel);
        return await client.CheckAsync(new CheckRequest { Attributes = new AttributeContext { Request = new AttributeContext.Types.Request { Http = http } } },
            headers: InitialMetadata, deadline: DateTime.UtcNow.Add(messageTimeout), cancellationToken: cancellationToken);
    }

    private async Task<ProcessingResponse> ExchangeAsync(AsyncDuplexStreamingCall<ProcessingRequest, ProcessingResponse> call, ProcessingRequest message,
        ProcessingResponse.ResponseOneofCase expected, EnvoyExchange exchange)
    {
        await call.RequestStream.WriteAsync(message);
        exchange.ProcMessages++;
        bool more;
        try
        {
            more = await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(messageTimeout);
        }
        catch (TimeoutException)
        {
            throw new EnvoyRuleViolationException($"no answer to {message.RequestCase} within the message timeout ({messageTimeout}); Envoy would answer 504");
        }

        if (!more)
        {
            throw new EnvoyRuleViolationException($"the stream closed without answering {message.RequestCase}");
        }

        var answer = call.ResponseStream.Current;
        var requestPath = expected is ProcessingResponse.ResponseOneofCase.RequestHeaders or ProcessingResponse.ResponseOneofCase.RequestBody;
        var immediateAllowed = requestPath || expected == ProcessingResponse.ResponseOneofCase.ResponseHeaders;
        if (answer.ResponseCase != expected && !(immediateAllowed && answer.ResponseCase == ProcessingResponse.ResponseOneofCase.ImmediateResponse))
        {
            throw new EnvoyRuleViolationException($"answer {answer.ResponseCase} to {message.RequestCase} (spurious message; Envoy would answer 500)");
        }

        if (answer.ModeOverride is not null && expected is not (ProcessingResponse.ResponseOneofCase.RequestHeaders or ProcessingResponse.ResponseOneofCase.ResponseHeaders))
        {
            throw new EnvoyRuleViolationException("mode_override outside a headers answer is ignored by Envoy");
        }

        if (answer.DynamicMetadata is { } dm)
        {
            foreach (var (ns, value) in dm.Fields)
            {
                exchange.ProcMetadata.Fields[ns] = value;
            }
        }

        return answer;
    }

    private static async Task<EnvoyExchange> LocalReplyAsync(AsyncDuplexStreamingCall<ProcessingRequest, ProcessingResponse> call, ImmediateResponse reply, EnvoyExchange exchange)
    {
        exchange.LocalReplyBy = "ext_proc";
        exchange.Status = reply.Status?.Code is { } code && (int)code >= 200 ? (int)code : 200;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        Apply(headers, reply.Headers, "immediate response");
        foreach (var (k, v) in headers)
        {
            exchange.ResponseHeaders[k] = v;
        }

        exchange.ResponseBody = reply.Body.ToByteArray();
        await call.RequestStream.CompleteAsync();
        return exchange;
    }

    private static void Apply(Dictionary<string, string> headers, HeaderMutation? mutation, string where)
    {
        if (mutation is null)
        {
            return;
        }

        foreach (var option in mutation.SetHeaders)
        {
            var h = option.Header;
            if (h.Value.Length > 0 && !h.RawValue.IsEmpty)
            {
                throw new EnvoyRuleViolationException($"{where}: header '{h.Key}' has both value and raw_value (Envoy rejects the mutation)");
            }

            if (h.Value.Length > 0)
            {
                throw new EnvoyRuleViolationException($"{where}: header '{h.Key}' is written to value; Envoy reads raw_value only and would send it empty");
            }

            // Default mutation rules (no mutation_rules): changes to host, :authority, :scheme, :method and x-envoy-* are ignored.
            if (h.Key is "host" or ":authority" or ":scheme" or ":method" || h.Key.StartsWith("x-envoy-", StringComparison.Ordinal))
            {
                continue;
            }

            var value = h.RawValue.ToStringUtf8();
#pragma warning disable CS0612
            if (option.Append == true && headers.TryGetValue(h.Key, out var existing))
#pragma warning restore CS0612
            {
                value = existing + "," + value;
            }

            headers[h.Key] = value;
        }

        foreach (var name in mutation.RemoveHeaders)
        {
            if (!name.StartsWith(':') && name != "host")
            {
                headers.Remove(name);
            }
        }
    }

    private static byte[] MutateBuffered(byte[] body, BodyMutation? mutation, Dictionary<string, string> headers)
    {
        if (mutation is null || mutation.MutationCase == BodyMutation.MutationOneofCase.None)
        {
            return body;
        }

        var replaced = mutation.MutationCase switch
        {
            BodyMutation.MutationOneofCase.Body => mutation.Body.ToByteArray(),
            BodyMutation.MutationOneofCase.ClearBodyFlag => [],
            _ => throw new EnvoyRuleViolationException("streamed_response outside FULL_DUPLEX_STREAMED (spurious message)"),
        };
        if (headers.TryGetValue("content-length", out var cl) && cl != replaced.Length.ToString(CultureInfo.InvariantCulture))
        {
            throw new EnvoyRuleViolationException($"content-length {cl} does not match the mutated BUFFERED body ({replaced.Length} bytes); Envoy would answer 500");
        }

        return replaced;
    }

    private static HeaderMap ToHeaderMap(Dictionary<string, string> headers)
    {
        var map = new HeaderMap();
        foreach (var (k, v) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = k, RawValue = ByteString.CopyFromUtf8(v) });
        }

        return map;
    }
}
