using Grpc.Core;
using Mesh.Gateway.Tenancy.Authentication;

namespace Mesh.Gateway.Api.Callers;

/// <summary>What an app's call presents: its text metadata (gRPC keys are lower-case) and the transport peer.</summary>
/// <remarks>The app door never trusts a peer principal or <c>x-forwarded-client-cert</c> (any caller can write them); only the
/// Envoy door's authenticated proxy may assert those, and its services never read an <see cref="ApiCaller"/>.
/// The metadata is read when a step first asks for it (authentication with tenants, a cache's or a canary's header), so a
/// call that needs none pays no copy of it; it is read during the call, while the call's metadata is valid.</remarks>
internal sealed class ApiCaller
{
    private readonly ServerCallContext _context;

    private ApiCaller(ServerCallContext context)
    {
        _context = context;
        Headers = new CallHeaders(context);
    }

    /// <summary>The text metadata entries (binary entries are not credentials), read on first use.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The transport peer, as Grpc.AspNetCore reports it.</summary>
    public string Peer => _context.Peer;

    /// <summary>The credentials to authenticate, as the app door may read them.</summary>
    public CallerCredentials Credentials => new(Headers);

    /// <summary>The caller of <paramref name="context"/>'s call.</summary>
    public static ApiCaller Of(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new ApiCaller(context);
    }
}
