using Google.Protobuf;
using Grpc.Core;
using Mesh.Gateway.Grpc;
using Mesh.Gateway.Grpc.Tests.Protos;

namespace Mesh.Gateway.Grpc.Tests.Infrastructure;

/// <summary>The test service: echoes, streams, fails and sleeps as each request asks; echoes x-echo-initial and x-echo-trailing-bin.</summary>
internal sealed class TestServiceImpl(TestServerState state) : TestService.TestServiceBase
{
    public override async Task<EchoResponse> Unary(EchoRequest request, ServerCallContext context)
    {
        state.CallStarted();
        await EchoMetadataAsync(context);
        await PrepareAsync(request, context);
        return Response(request, 0, context);
    }

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        try
        {
            for (var i = 0; i < Math.Max(request.Repeat, 1); i++)
            {
                if (request.DelayMs > 0)
                {
                    await Task.Delay(request.DelayMs, context.CancellationToken);
                }

                responseStream.WriteOptions = request.CompressResponse ? null : new WriteOptions(WriteFlags.NoCompress);
                await responseStream.WriteAsync(Response(request, i));
                state.MessagesWritten++;
            }
        }
        catch (Exception ex)
        {
            state.StreamEnded.TrySetResult(ex);
            throw;
        }

        state.StreamEnded.TrySetResult(null);
        ThrowIfAsked(request);
    }

    public override async Task<EchoResponse> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var count = 0;
        var text = string.Empty;
        EchoRequest? last = null;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            count++;
            text += request.Text;
            last = request;
            ThrowIfAsked(request);
        }

        return new EchoResponse { Text = text, Count = count, RequestCompressed = last is not null && WasCompressed(context) };
    }

    public override async Task Duplex(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var index = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await PrepareAsync(request, context);
            await responseStream.WriteAsync(Response(request, index++));
        }
    }

    public override Task DuplexInOrder(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        var index = 0;
        return InOrderResponder.RunAsync(requestStream, responseStream, Answer, context.CancellationToken);

        async ValueTask<EchoResponse?> Answer(EchoRequest request, CancellationToken cancellationToken)
        {
            await PrepareAsync(request, context);
            return request.Text == "no-answer" ? null : Response(request, index++);
        }
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var initial = context.RequestHeaders.Get("x-echo-initial");
        if (initial is not null)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { "x-echo-initial", initial.Value } });
        }

        var trailing = context.RequestHeaders.Get("x-echo-trailing-bin");
        if (trailing is not null)
        {
            context.ResponseTrailers.Add("x-echo-trailing-bin", trailing.ValueBytes);
        }
    }

    private static async Task PrepareAsync(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await Task.Delay(request.DelayMs, context.CancellationToken);
        }

        context.WriteOptions = request.CompressResponse ? null : new WriteOptions(WriteFlags.NoCompress);
        ThrowIfAsked(request);
    }

    private static void ThrowIfAsked(EchoRequest request)
    {
        if (request.StatusCode != 0)
        {
            throw new RpcException(new Status((StatusCode)request.StatusCode, request.StatusMessage), new Metadata { { "x-error-detail", "from-handler" } });
        }
    }

    private static bool WasCompressed(ServerCallContext context)
        => context.GetHttpContext().Request.Headers["grpc-encoding"].ToString() == "gzip";

    private static EchoResponse Response(EchoRequest request, int index, ServerCallContext? context = null) => new()
    {
        Text = request.EchoDeadline && context is not null ? context.Deadline.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : request.Text,
        Index = index,
        Payload = request.ResponseSize > 0 ? ByteString.CopyFrom(new byte[request.ResponseSize]) : request.Payload,
    };
}
