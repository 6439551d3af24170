using Google.Protobuf;
using Grpc.Core;
using Grpc.Testing;

namespace Mesh.Gateway.InteropServer;

/// <summary>
/// <c>grpc.testing.TestService</c> as doc/interop-test-descriptions.md asks of a server: payloads of zeros, compressed
/// responses on request, expect_compressed checks, echoed status and metadata, and interval_us pauses.
/// </summary>
internal sealed class TestServiceImpl : TestService.TestServiceBase
{
    private const string EchoInitialKey = "x-grpc-test-echo-initial";
    private const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    // grpc-dotnet convention: this response header entry asks the server to compress the call's responses.
    private const string CompressionRequestKey = "grpc-internal-encoding-request";

    public override Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    public override async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        await EchoMetadataAsync(context, compressResponses: request.ResponseCompressed?.Value == true).ConfigureAwait(false);
        EchoStatus(request.ResponseStatus);
        RequireCompression(request.ExpectCompressed, context);
        return new SimpleResponse { Payload = Zeros(request.ResponseSize) };
    }

    public override async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context, request.ResponseParameters.Any(p => p.Compressed?.Value == true)).ConfigureAwait(false);
        EchoStatus(request.ResponseStatus);
        await WriteResponsesAsync(request.ResponseParameters, responseStream, context).ConfigureAwait(false);
    }

    public override async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requestStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context, compressResponses: false).ConfigureAwait(false);
        var total = 0;
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            RequireCompression(requestStream.Current.ExpectCompressed, context);
            total += requestStream.Current.Payload?.Body.Length ?? 0;
        }

        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public override async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context, compressResponses: false).ConfigureAwait(false);
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            EchoStatus(requestStream.Current.ResponseStatus);
            await WriteResponsesAsync(requestStream.Current.ResponseParameters, responseStream, context).ConfigureAwait(false);
        }
    }

    public override async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context, compressResponses: false).ConfigureAwait(false);
        var requests = new List<StreamingOutputCallRequest>();
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            requests.Add(requestStream.Current);
        }

        foreach (var request in requests)
        {
            EchoStatus(request.ResponseStatus);
            await WriteResponsesAsync(request.ResponseParameters, responseStream, context).ConfigureAwait(false);
        }
    }

    private static async Task WriteResponsesAsync(IEnumerable<ResponseParameters> parameters, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        foreach (var parameter in parameters)
        {
            if (parameter.IntervalUs > 0)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(parameter.IntervalUs), context.CancellationToken).ConfigureAwait(false);
            }

            // Compressed only where asked: the call compresses (see EchoMetadataAsync), NoCompress opts a message out.
            responseStream.WriteOptions = parameter.Compressed?.Value == true ? null : new WriteOptions(WriteFlags.NoCompress);
            await responseStream.WriteAsync(new StreamingOutputCallResponse { Payload = Zeros(parameter.Size) }).ConfigureAwait(false);
        }
    }

    private static async Task EchoMetadataAsync(ServerCallContext context, bool compressResponses)
    {
        var initial = new Metadata();
        foreach (var entry in context.RequestHeaders)
        {
            if (entry.Key == EchoInitialKey)
            {
                initial.Add(entry);
            }
            else if (entry.Key == EchoTrailingKey)
            {
                context.ResponseTrailers.Add(entry);
            }
        }

        // Only in an encoding the client accepts: Grpc.AspNetCore applies grpc-internal-encoding-request without checking
        // grpc-accept-encoding, which the compression spec requires of the server.
        if (compressResponses && ClientAcceptsGzip(context))
        {
            initial.Add(CompressionRequestKey, "gzip");
        }

        if (initial.Count > 0)
        {
            await context.WriteResponseHeadersAsync(initial).ConfigureAwait(false);
        }
    }

    private static bool ClientAcceptsGzip(ServerCallContext context) =>
        // Grpc.AspNetCore leaves grpc-* headers out of RequestHeaders.
        context.GetHttpContext().Request.Headers["grpc-accept-encoding"].ToString().Split(',').Any(e => e.Trim() == "gzip");

    private static void EchoStatus(EchoStatus? status)
    {
        if (status is { Code: not 0 })
        {
            throw new RpcException(new Status((StatusCode)status.Code, status.Message));
        }
    }

    private static void RequireCompression(BoolValue? expectCompressed, ServerCallContext context)
    {
        if (expectCompressed?.Value == true && !RequestCompression.WasLastMessageCompressed(context))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Expected a compressed message."));
        }
    }

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };
}
