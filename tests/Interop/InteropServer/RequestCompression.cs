using Grpc.Core;

namespace Mesh.Gateway.InteropServer;

/// <summary>Tells whether the request message just read was compressed.</summary>
internal static class RequestCompression
{
    /// <summary>True when the request declares a compression other than identity (per-message flags are not exposed by Grpc.Core).</summary>
    public static bool WasLastMessageCompressed(ServerCallContext context)
    {
        var encoding = context.GetHttpContext().Request.Headers["grpc-encoding"].ToString();
        return encoding.Length > 0 && encoding != "identity";
    }
}
