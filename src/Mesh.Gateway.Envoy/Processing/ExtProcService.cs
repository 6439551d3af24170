using Envoy.Service.ExtProc.V3;
using Grpc.Core;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary><c>envoy.service.ext_proc.v3.ExternalProcessor/Process</c>: one <see cref="ExtProcSession"/> per stream.</summary>
/// <remarks>The call's span, metrics and call log line come from the steps' telemetry step (or, for a call refused before the
/// steps run, from the session through the same step).</remarks>
internal sealed class ExtProcService : ExternalProcessor.ExternalProcessorBase
{
    private readonly ExtProcDependencies _deps;

    public ExtProcService(ExtProcDependencies deps) => _deps = deps;

    public override async Task Process(IAsyncStreamReader<ProcessingRequest> requestStream, IServerStreamWriter<ProcessingResponse> responseStream, ServerCallContext context)
    {
        var session = new ExtProcSession(_deps);
        var cancellationToken = context.CancellationToken;
        var cancelled = false;
        try
        {
            // One answer per message, in order; answers to a burst of messages (streamed body chunks) go out together.
            await InOrderResponder.RunAsync(requestStream, responseStream, session.HandleAsync, context).ConfigureAwait(false);
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
        }
    }
}
