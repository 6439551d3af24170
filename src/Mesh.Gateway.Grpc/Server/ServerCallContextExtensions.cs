using Mesh.Gateway.Grpc.Internal.Server;
using Microsoft.AspNetCore.Http;

namespace Grpc.Core;

/// <summary>Access to the ASP.NET Core request behind a call (as in Grpc.AspNetCore.Server).</summary>
public static class ServerCallContextExtensions
{
    /// <summary>Gets the <see cref="HttpContext"/> of the call.</summary>
    public static HttpContext GetHttpContext(this ServerCallContext serverCallContext)
    {
        ArgumentNullException.ThrowIfNull(serverCallContext);
        return serverCallContext is HttpContextServerCallContext context
            ? context.HttpContext
            : throw new InvalidOperationException("The call context is not backed by an HttpContext.");
    }
}
