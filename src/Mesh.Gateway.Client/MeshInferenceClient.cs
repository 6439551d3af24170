using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Gateway.V1;
using Microsoft.Extensions.AI;

namespace Mesh.Gateway.Client;

/// <summary>A typed client of the sidecar's <c>mesh.gateway.v1.Inference</c> API.</summary>
/// <remarks>Thread-safe; share one instance. Errors surface as <see cref="RpcException"/> with google.rpc details in the trailers.</remarks>
public sealed class MeshInferenceClient : IDisposable
{
    private readonly GrpcChannel? _ownedChannel;

    /// <summary>Connects to the sidecar at <paramref name="address"/> (for example http://127.0.0.1:50051, or unix:/run/mesh/grpc.sock).</summary>
    public MeshInferenceClient(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        _ownedChannel = MeshGatewayChannel.ForAddress(address.OriginalString, options);
        Raw = new V1.Inference.InferenceClient(_ownedChannel);
    }

    /// <summary>Uses an existing call invoker (the caller owns its channel).</summary>
    public MeshInferenceClient(CallInvoker callInvoker)
    {
        ArgumentNullException.ThrowIfNull(callInvoker);
        Raw = new V1.Inference.InferenceClient(callInvoker);
    }

    /// <summary>Wraps a generated client (as the gRPC client factory creates it; see <c>AddMeshGatewayClient</c>).</summary>
    public MeshInferenceClient(V1.Inference.InferenceClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        Raw = client;
    }

    /// <summary>The generated client, for anything this wrapper does not cover.</summary>
    public V1.Inference.InferenceClient Raw { get; }

    public async Task<GenerateResponse> GenerateAsync(GenerateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var call = Raw.GenerateAsync(request, cancellationToken: cancellationToken);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    /// <summary>Streams the deltas; the last chunk carries the finish reason and usage. A failure ends the enumeration with an <see cref="RpcException"/>.</summary>
    public async IAsyncEnumerable<GenerateChunk> GenerateStreamAsync(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var call = Raw.GenerateStream(request, cancellationToken: cancellationToken);
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return call.ResponseStream.Current;
        }
    }

    public async Task<EmbedResponse> EmbedAsync(EmbedRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var call = Raw.EmbedAsync(request, cancellationToken: cancellationToken);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    public async Task<CountTokensResponse> CountTokensAsync(CountTokensRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var call = Raw.CountTokensAsync(request, cancellationToken: cancellationToken);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    public async Task<ListModelsResponse> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        using var call = Raw.ListModelsAsync(new ListModelsRequest(), cancellationToken: cancellationToken);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    /// <summary>This client as a Microsoft.Extensions.AI <see cref="IChatClient"/>; <paramref name="defaultModel"/> is used when <see cref="ChatOptions.ModelId"/> is not set.</summary>
    public IChatClient AsIChatClient(string? defaultModel = null) => new MeshChatClient(this, defaultModel);

    public void Dispose() => _ownedChannel?.Dispose();
}
