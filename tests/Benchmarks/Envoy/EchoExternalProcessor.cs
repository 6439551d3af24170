using Envoy.Service.ExtProc.V3;
using Grpc.Core;
using Mesh.Gateway.Envoy.Processing;

namespace Mesh.Gateway.Benchmarks.Envoy;

/// <summary>The baseline ext_proc server: answers every message with the empty answer of the matching type (pass through).</summary>
internal sealed class EchoExternalProcessor : ExternalProcessor.ExternalProcessorBase
{
    private static readonly ProcessingResponse RequestHeaders = new() { RequestHeaders = new HeadersResponse { Response = new CommonResponse() } };
    private static readonly ProcessingResponse RequestBody = new() { RequestBody = new BodyResponse { Response = new CommonResponse() } };
    private static readonly ProcessingResponse ResponseHeaders = new() { ResponseHeaders = new HeadersResponse { Response = new CommonResponse() } };
    private static readonly ProcessingResponse ResponseBody = new() { ResponseBody = new BodyResponse { Response = new CommonResponse() } };

    private static ValueTask<ProcessingResponse?> Answer(ProcessingRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ProcessingResponse?>(request.RequestCase switch
        {
            ProcessingRequest.RequestOneofCase.RequestHeaders => RequestHeaders,
            ProcessingRequest.RequestOneofCase.RequestBody => RequestBody,
            ProcessingRequest.RequestOneofCase.ResponseHeaders => ResponseHeaders,
            _ => ResponseBody,
        });

    public override async Task Process(IAsyncStreamReader<ProcessingRequest> requestStream, IServerStreamWriter<ProcessingResponse> responseStream, ServerCallContext context)
    {
        try
        {
            // The same write path as the gateway's ExtProcService, so the difference is the gateway's work.
            await InOrderResponder.RunAsync(requestStream, responseStream, Answer, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (context.CancellationToken.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            // Envoy (and the load driver) end ext_proc streams with END_STREAM and a reset: a normal end.
        }
    }
}
