using Grpc.Core;
using Mesh.Gateway.Api.Callers;
using Mesh.Gateway.Core.Caching;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tokenizers;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.Api.Inference;

/// <summary>The <c>mesh.gateway.v1.Inference</c> service: maps the contract onto the Core pipeline and back. No policy lives here.</summary>
internal sealed partial class InferenceService : V1.Inference.InferenceBase
{
    private readonly InferencePipeline _pipeline;
    private readonly InferenceRouter _router;
    private readonly TimeProvider _timeProvider;
    private readonly TokenCounter _tokens;
    private readonly TenantAuthenticator _authenticator;

    public InferenceService(InferencePipeline pipeline, InferenceRouter router, TimeProvider timeProvider, TokenCounter tokens, TenantAuthenticator authenticator)
    {
        _authenticator = authenticator;
        _pipeline = pipeline;
        _router = router;
        _timeProvider = timeProvider;
        _tokens = tokens;
    }

    public override Task<GenerateResponse> Generate(GenerateRequest request, ServerCallContext context)
    {
        var chat = MapOrThrow(request);
        var call = NewContext(chat, request, context, isStreaming: false);
        return RespondAsync(call, context);
    }

    /// <summary>Runs a whole call through the pipeline and maps its answer (Generate, and Prompts.Run with its prompt's call).</summary>
    internal async Task<GenerateResponse> RespondAsync(InferenceContext call, ServerCallContext context)
    {
        var result = await _pipeline.ExecuteAsync(call, context.CancellationToken).ConfigureAwait(false);
        if (result.IsError)
        {
            throw GatewayErrorStatus.ToRpcException(result.Error);
        }

        var cached = await FlagCacheHitAsync(call, context).ConfigureAwait(false);
        if (result.Response is { } response)
        {
            var proto = GenerateResponseMapper.ToProto(response, call);
            proto.Cached = cached;
            return proto;
        }

        if (result.Stream is { } stream)
        {
            // A step (a cache, say) may answer a unary call with a stream: gather it.
            var accumulator = new ChatStreamAccumulator();
            await foreach (var item in stream.WithCancellation(context.CancellationToken).ConfigureAwait(false))
            {
                if (item.IsError)
                {
                    throw GatewayErrorStatus.ToRpcException(item.Error);
                }

                accumulator.Add(item.Chunk);
            }

            var gathered = GenerateResponseMapper.ToProto(accumulator.ToResponse(call.ServedTarget?.Provider ?? string.Empty, call.ServedTarget?.Model), call);
            gathered.Cached = cached;
            return gathered;
        }

        throw new RpcException(new Status(StatusCode.Internal, "the pipeline returned no response"));
    }

    public override Task GenerateStream(GenerateRequest request, IServerStreamWriter<GenerateChunk> responseStream, ServerCallContext context)
    {
        var chat = MapOrThrow(request);
        var call = NewContext(chat, request, context, isStreaming: true);
        return StreamAsync(call, responseStream, context);
    }

    /// <summary>Runs a streamed call through the pipeline and writes its chunks (GenerateStream, and Prompts.RunStream).</summary>
    internal async Task StreamAsync(InferenceContext call, IServerStreamWriter<GenerateChunk> responseStream, ServerCallContext context)
    {
        var result = await _pipeline.ExecuteAsync(call, context.CancellationToken).ConfigureAwait(false);
        if (result.IsError)
        {
            throw GatewayErrorStatus.ToRpcException(result.Error);
        }

        await FlagCacheHitAsync(call, context).ConfigureAwait(false);
        if (result.Response is { } whole)
        {
            // A step answered a streamed call with a whole response: send it as deltas (its tool items, text, citations) and
            // the final chunk; the first delta names the call as a provider's stream does.
            var firstDelta = true;
            foreach (var chunk in whole.AsChunks())
            {
                if (GenerateResponseMapper.ToProtoDelta(chunk) is not { } delta)
                {
                    continue;
                }

                if (firstDelta)
                {
                    delta.Id = whole.Id ?? string.Empty;
                    delta.Provider = call.ServedTarget?.Provider ?? whole.Provider;
                    delta.ProviderModel = whole.Model;
                    firstDelta = false;
                }

                await responseStream.WriteAsync(delta).ConfigureAwait(false);
            }

            await responseStream.WriteAsync(FinalChunk(call, whole.FinishReason, whole.ProviderFinishReason, whole.Usage, whole.Id, whole.Model)).ConfigureAwait(false);
            return;
        }

        if (result.Stream is not { } stream)
        {
            throw new RpcException(new Status(StatusCode.Internal, "the pipeline returned no stream"));
        }

        string? id = null;
        string? model = null;
        ChatFinishReason? finish = null;
        string? providerFinish = null;
        ChatUsage? usage = null;
        var first = true;
        await foreach (var item in stream.WithCancellation(context.CancellationToken).ConfigureAwait(false))
        {
            if (item.IsError)
            {
                throw GatewayErrorStatus.ToRpcException(item.Error);
            }

            var chunk = item.Chunk;
            id ??= chunk.Id;
            model ??= chunk.Model;
            if (chunk.FinishReason is { } reason)
            {
                finish = reason;
                providerFinish = chunk.ProviderFinishReason;
            }

            if (chunk.Usage is { } used)
            {
                usage = used;
            }

            if (GenerateResponseMapper.ToProtoDelta(chunk) is not { } delta)
            {
                continue;
            }

            if (first)
            {
                delta.Id = id ?? string.Empty;
                delta.Provider = call.ServedTarget?.Provider ?? string.Empty;
                delta.ProviderModel = model ?? call.ServedTarget?.Model ?? string.Empty;
                first = false;
            }

            await responseStream.WriteAsync(delta).ConfigureAwait(false);
        }

        await responseStream.WriteAsync(FinalChunk(call, finish ?? ChatFinishReason.Other, providerFinish, call.Usage ?? usage ?? ChatUsage.Empty, id, model)).ConfigureAwait(false);
    }

    public override async Task<EmbedResponse> Embed(EmbedRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw GatewayErrorStatus.ToRpcException(GatewayError.InvalidArgument("model", "is required"));
        }

        if (request.Inputs.Count == 0)
        {
            throw GatewayErrorStatus.ToRpcException(GatewayError.InvalidArgument("inputs", "at least one input is required"));
        }

        if (request.HasDimensions && request.Dimensions <= 0)
        {
            throw GatewayErrorStatus.ToRpcException(GatewayError.InvalidArgument("dimensions", $"must be positive (was {request.Dimensions})"));
        }

        var providerOptions = ProtoJson.ToJson(request.ProviderOptions);
        if (ProviderOptionsPolicy.Check(providerOptions, maxOutputTokens: null) is { } overridden)
        {
            throw GatewayErrorStatus.ToRpcException(overridden);
        }

        var embedding = new EmbeddingRequest
        {
            Model = request.Model,
            Inputs = [.. request.Inputs],
            Dimensions = request.HasDimensions ? request.Dimensions : null,
            EndUserId = string.IsNullOrEmpty(request.Metadata?.EndUserId) ? null : request.Metadata.EndUserId,
            ProviderOptions = providerOptions,
        };
        var call = InferenceContext.ForEmbeddings(embedding, _timeProvider);
        call = WithCaller(call, context, request.Metadata);
        var result = await _pipeline.ExecuteAsync(call, context.CancellationToken).ConfigureAwait(false);
        if (result.IsError)
        {
            throw GatewayErrorStatus.ToRpcException(result.Error);
        }

        var vectors = result.Embeddings ?? throw new RpcException(new Status(StatusCode.Internal, "the pipeline returned no embeddings"));
        var response = new EmbedResponse
        {
            Usage = GenerateResponseMapper.ToProto(call.Usage ?? new ChatUsage { InputTokens = vectors.InputTokens }),
            Provider = call.ServedTarget?.Provider ?? vectors.Provider,
            ProviderModel = string.IsNullOrEmpty(vectors.Model) ? call.ServedTarget?.Model ?? string.Empty : vectors.Model,
        };
        for (var i = 0; i < vectors.Embeddings.Count; i++)
        {
            var proto = new Embedding { Index = i };
            proto.Values.AddRange(vectors.Embeddings[i].ToArray());
            response.Embeddings.Add(proto);
        }

        if (call.Cost is { } cost)
        {
            response.Cost = GenerateResponseMapper.ToProto(cost);
        }

        return response;
    }

    // With tenants configured the caller authenticates as for Generate and sees only the models its tenant may call: the
    // list names the providers and upstream models behind each alias, which is no business of other tenants.
    public override async Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var tenant = await AuthenticatedTenantAsync(context).ConfigureAwait(false);
        var response = new ListModelsResponse();
        foreach (var route in _router.Table.Routes)
        {
            if (tenant is not null && !AccessPolicy.IsModelAllowed(tenant, route.Name))
            {
                continue;
            }

            var model = new V1.Model { Name = route.Name };
            model.Targets.AddRange(route.Targets.Select(static t => new ModelTarget { Provider = t.Provider, Model = t.Model, Weight = (int)Math.Round(t.Weight) }));
            model.Fallbacks.AddRange(route.Fallbacks.Select(static t => new ModelTarget { Provider = t.Provider, Model = t.Model }));
            response.Models.Add(model);
        }

        return response;
    }

    // The caller's tenant, or null when no tenants are configured (the API is open); a failed authentication ends the call
    // with UNAUTHENTICATED and the reason.
    private async ValueTask<TenantOptions?> AuthenticatedTenantAsync(ServerCallContext context) =>
        (await _authenticator.AuthenticateAsync(context).ConfigureAwait(false))?.Tenant;

    private static ChatRequest MapOrThrow(GenerateRequest request)
    {
        var error = GenerateRequestMapper.TryMap(request, out var chat);
        return error is null ? chat! : throw GatewayErrorStatus.ToRpcException(error);
    }

    private InferenceContext NewContext(ChatRequest chat, GenerateRequest request, ServerCallContext context, bool isStreaming)
    {
        var call = WithCaller(InferenceContext.ForChat(chat, isStreaming, _timeProvider), context, request.Metadata);
        if (!string.IsNullOrEmpty(request.CacheControl))
        {
            call.Properties.Set(CacheControl.RequestFieldKey, request.CacheControl);
        }

        return call;
    }

    // A call the response cache answered says so in the response headers (x-mesh-cache: hit), before any message.
    private static async ValueTask<bool> FlagCacheHitAsync(InferenceContext call, ServerCallContext context)
    {
        if (!call.Properties.TryGetValue(ResponseCacheHit.Key, out var hit))
        {
            return false;
        }

        await context.WriteResponseHeadersAsync(new Metadata { { ResponseCacheHit.HeaderName, hit.HeaderValue } }).ConfigureAwait(false);
        return true;
    }

    internal static InferenceContext WithCaller(InferenceContext call, ServerCallContext context, RequestMetadata? metadata)
    {
        var caller = ApiCaller.Of(context);
        call.Source = InferenceSource.Api;
        call.Headers = caller.Headers;
        call.Peer = caller.Peer;
        call.ConversationId = string.IsNullOrEmpty(metadata?.ConversationId) ? null : metadata.ConversationId;
        return call;
    }

    private static GenerateChunk FinalChunk(InferenceContext call, ChatFinishReason finish, string? providerFinish, ChatUsage usage, string? id, string? model)
    {
        var final = new GenerateChunk
        {
            Id = id ?? string.Empty,
            FinishReason = GenerateResponseMapper.ToProto(finish),
            ProviderFinishReason = providerFinish ?? string.Empty,
            Usage = GenerateResponseMapper.ToProto(usage),
            Provider = call.ServedTarget?.Provider ?? string.Empty,
            ProviderModel = model ?? call.ServedTarget?.Model ?? string.Empty,
            Attempts = call.Attempts,
            Cached = call.Properties.TryGetValue(ResponseCacheHit.Key, out _),
        };
        if (call.Cost is { } cost)
        {
            final.Cost = GenerateResponseMapper.ToProto(cost);
        }

        if (call.TimeToFirstToken is { } ttft)
        {
            final.TimeToFirstToken = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(ttft);
        }

        return final;
    }
}
