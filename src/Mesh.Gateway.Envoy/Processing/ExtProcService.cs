using Envoy.Service.ExtProc.V3;
using Grpc.Core;
using Mesh.Gateway.Envoy.Telemetry;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary><c>envoy.service.ext_proc.v3.ExternalProcessor/Process</c>: one <see cref="ExtProcSession"/> per stream.</summary>
internal sealed class ExtProcService : ExternalProcessor.ExternalProcessorBase
{
    private readonly ExtProcDependencies _deps;

    public ExtProcService(ExtProcDependencies deps) => _deps = deps;

    public override async Task Process(IAsyncStreamReader<ProcessingRequest> requestStream, IServerStreamWriter<ProcessingResponse> responseStream, ServerCallContext context)
    {
        var session = new ExtProcSession(_deps);
        var telemetry = new EnvoyCallTelemetry(_deps.Time);
        var cancellationToken = context.CancellationToken;
        var cancelled = false;
        try
        {
            // One answer per message, in order; answers to a burst of messages (streamed body chunks) go out together.
            await InOrderResponder.RunAsync(
                requestStream,
                responseStream,
                (request, ct) => HandleMeasured(session, telemetry, request, ct),
                context).ConfigureAwait(false);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            // Envoy closes ext_proc streams with END_STREAM followed by a reset (ext_proc_graceful_grpc_close off):
            // a cancellation here is a normal end, not an error.
            cancelled = true;
            Log.StreamCancelled(_deps.Logger);
        }
        finally
        {
            await session.EndAsync(cancelled, CancellationToken.None).ConfigureAwait(false);
            if (session.Record is { } record)
            {
                telemetry.Finish(record);
            }
            else if (session.Refusal is { } refusal)
            {
                telemetry.Refused(session.Api, session.RequestModel, refusal);
            }
        }
    }

    // The session's answer, its handling time added to the gateway's overhead; no await (and no allocation) when it
    // completes at once, as most messages do.
    private static ValueTask<ProcessingResponse?> HandleMeasured(ExtProcSession session, EnvoyCallTelemetry telemetry, ProcessingRequest request, CancellationToken cancellationToken)
    {
        var before = telemetry.Before(request);
        var answer = session.HandleAsync(request, cancellationToken);
        if (answer.IsCompleted)
        {
            telemetry.After(before);
            return answer;
        }

        return AwaitMeasured(answer, telemetry, before);
    }

    private static async ValueTask<ProcessingResponse?> AwaitMeasured(ValueTask<ProcessingResponse?> answer, EnvoyCallTelemetry telemetry, long before)
    {
        try
        {
            return await answer.ConfigureAwait(false);
        }
        finally
        {
            telemetry.After(before);
        }
    }
}
