using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>
/// What the sidecar's gRPC services share on top of Grpc.AspNetCore: a request that cannot be parsed is the caller's error
/// (INVALID_ARGUMENT, not UNKNOWN), a client that goes away mid-call is a normal end of the call (Debug, not Error), and every
/// log line written during a call, on either door, carries the call's method and id (the connection's request id, as
/// ASP.NET Core's own logs name it). One interceptor does all of it, so a call pays for one async layer, not one per concern.
/// </summary>
/// <remarks>
/// Google.Protobuf (3.36.2) refuses a string field that is not valid UTF-8 with an <see cref="InvalidProtocolBufferException"/>,
/// as it refuses a truncated or malformed message; Grpc.AspNetCore reports any exception from a deserializer as UNKNOWN
/// "Exception was thrown by handler". A request message of a streaming call is parsed inside the handler, where
/// <see cref="Interceptor"/> maps the exception; a unary or server-streaming call's message is parsed before the
/// handler runs, so <see cref="UseGrpcRequestErrors"/> rewrites that call's Trailers-Only UNKNOWN status.
/// </remarks>
internal static class GrpcCallErrors
{
    /// <summary>The detail sent with INVALID_ARGUMENT for a request message that cannot be parsed.</summary>
    public const string UnparsableMessage =
        "The request message cannot be parsed as this method's protobuf message (malformed, or a string field is not valid UTF-8).";

    /// <summary>Rewrites UNKNOWN to INVALID_ARGUMENT for a call whose request message failed to parse before its handler ran.</summary>
    public static IApplicationBuilder UseGrpcRequestErrors(this IApplicationBuilder app) => app.Use(static async (context, next) =>
    {
        await next(context).ConfigureAwait(false);
        if (!context.Response.HasStarted
            && context.Features.Get<HandlerEntered>() is null
            && context.Response.Headers["grpc-status"] == "2"
            && context.GetEndpoint()?.Metadata.GetMetadata<global::Grpc.AspNetCore.Server.GrpcMethodMetadata>() is not null)
        {
            context.Response.Headers["grpc-status"] = "3";
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString(UnparsableMessage);
        }
    });

    /// <summary>Marks the calls whose handler ran (so their own UNKNOWN is left alone) and maps the errors of a running call.</summary>
    /// <remarks>The logging scope holds nothing a caller sent: no metadata, no keys, no message content.</remarks>
    internal sealed class Interceptor(ILogger<Interceptor> logger) : global::Grpc.Core.Interceptors.Interceptor
    {
        private static readonly Func<ILogger, string, string, IDisposable?> CallScope =
            LoggerMessage.DefineScope<string, string>("gRPC {GrpcMethod} call {CallId}");

        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            Enter(context);
            using var scope = Begin(context);
            try
            {
                return await continuation(request, context).ConfigureAwait(false);
            }
            catch (Exception ex) when (Map(ex, context) is { } mapped)
            {
                throw mapped;
            }
        }

        public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
        {
            Enter(context);
            using var scope = Begin(context);
            try
            {
                return await continuation(requestStream, context).ConfigureAwait(false);
            }
            catch (Exception ex) when (Map(ex, context) is { } mapped)
            {
                throw mapped;
            }
        }

        public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
        {
            Enter(context);
            using var scope = Begin(context);
            try
            {
                await continuation(request, responseStream, context).ConfigureAwait(false);
            }
            catch (Exception ex) when (Map(ex, context) is { } mapped)
            {
                throw mapped;
            }
        }

        public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
        {
            Enter(context);
            using var scope = Begin(context);
            try
            {
                await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            }
            catch (Exception ex) when (Map(ex, context) is { } mapped)
            {
                throw mapped;
            }
        }

        private IDisposable? Begin(ServerCallContext context) => CallScope(logger, context.Method, context.GetHttpContext().TraceIdentifier);

        private static void Enter(ServerCallContext context) => context.GetHttpContext().Features.Set(HandlerEntered.Instance);

        private RpcException? Map(Exception exception, ServerCallContext context)
        {
            if (exception is RpcException)
            {
                return null;
            }

            if (context.GetHttpContext().RequestAborted.IsCancellationRequested || IsClientGone(exception))
            {
                // Nobody is left to read a status. Kestrel's body reader can throw this before RequestAborted is signalled;
                // Grpc.AspNetCore would log it as a handler error with its stack trace.
                Log.ClientGone(logger, context.Method);
                return new RpcException(new Status(StatusCode.Cancelled, "The client went away."));
            }

            return IsUnparsable(exception) ? new RpcException(new Status(StatusCode.InvalidArgument, UnparsableMessage)) : null;
        }

        private static bool IsClientGone(Exception exception)
        {
            for (var e = exception; e is not null; e = e.InnerException)
            {
                if (e is ConnectionAbortedException or ConnectionResetException)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsUnparsable(Exception exception)
        {
            for (var e = exception; e is not null; e = e.InnerException)
            {
                if (e is InvalidProtocolBufferException)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Set on a request whose gRPC handler was entered.</summary>
    private sealed class HandlerEntered
    {
        public static readonly HandlerEntered Instance = new();
    }
}
