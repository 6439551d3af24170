using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>
/// Takes the UNIMPLEMENTED fallback (<c>{service}/{method}</c>) out of every routing node that also holds a mapped gRPC method.
/// </summary>
/// <remarks>
/// The fallback's parameters match every two-segment path, so without this it is a second candidate on every call: the matcher
/// then captures both segments into a RouteValueDictionary (three allocations and two strings per call) only to pick the mapped
/// method, which always wins (the fallback has the last order). A node that holds a mapped method is only reached by that
/// method's path, so dropping the fallback there changes no answer; paths of unknown methods still reach it.
/// </remarks>
internal sealed class UnimplementedFallbackMatcherPolicy : MatcherPolicy, INodeBuilderPolicy
{
    public override int Order => 1000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        var fallback = false;
        var method = false;
        foreach (var endpoint in endpoints)
        {
            fallback |= endpoint.Metadata.GetMetadata<UnimplementedEndpointMetadata>() is not null;
            method |= endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not null;
        }

        return fallback && method;
    }

    public IReadOnlyList<PolicyNodeEdge> GetEdges(IReadOnlyList<Endpoint> endpoints)
    {
        var kept = endpoints.Where(e => e.Metadata.GetMetadata<UnimplementedEndpointMetadata>() is null).ToArray();
        return [new PolicyNodeEdge(UnimplementedEndpointMetadata.Instance, kept)];
    }

    public PolicyJumpTable BuildJumpTable(int exitDestination, IReadOnlyList<PolicyJumpTableEdge> edges) => new SingleDestination(edges[0].Destination);

    private sealed class SingleDestination(int destination) : PolicyJumpTable
    {
        public override int GetDestination(HttpContext httpContext) => destination;
    }
}
