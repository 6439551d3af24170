using Grpc.Core;
using Mesh.Gateway.Tenancy.Authentication;

namespace Mesh.Gateway.Api.Callers;

/// <summary>What an app's call presents, read from its metadata once by <see cref="ApiCallerInterceptor"/>.</summary>
/// <param name="Headers">The text metadata entries (gRPC keys are lower-case); binary entries are not credentials.</param>
/// <param name="Peer">The transport peer, as Grpc.AspNetCore reports it.</param>
/// <remarks>The app door never trusts a peer principal or <c>x-forwarded-client-cert</c> (any caller can write them); only the
/// Envoy door's authenticated proxy may assert those, and its calls do not pass through here.</remarks>
internal sealed record ApiCaller(IReadOnlyDictionary<string, string> Headers, string Peer)
{
    /// <summary>The credentials to authenticate, as the app door may read them.</summary>
    public CallerCredentials Credentials => new(Headers);

    /// <summary>The caller of <paramref name="context"/>'s call.</summary>
    /// <exception cref="InvalidOperationException">The service was mapped without <see cref="ApiCallerInterceptor"/> (a composition bug).</exception>
    public static ApiCaller Of(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.UserState.TryGetValue(typeof(ApiCaller), out var caller) && caller is ApiCaller found
            ? found
            : throw new InvalidOperationException($"No caller on {context.Method}: the service must be registered with {nameof(ApiCallerInterceptor)}.");
    }

    internal static ApiCaller Read(ServerCallContext context)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in context.RequestHeaders)
        {
            if (!entry.IsBinary)
            {
                headers[entry.Key] = entry.Value;
            }
        }

        return new ApiCaller(headers, context.Peer);
    }
}
