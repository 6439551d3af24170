using Mesh.Gateway.Caching.Configuration;
using Mesh.Gateway.Caching.Keys;
using Mesh.Gateway.Core.Caching;

namespace Mesh.Gateway.Caching.Pipeline;

/// <summary>What the cache does with one call: its key, how long its answer may be kept, and the caller's directives.</summary>
internal sealed record CachePlan(RouteCacheOptions Route, CacheKey Key, TimeSpan Ttl, CacheControl Control)
{
    /// <summary>The semantic partition (a prefix of its tenant's and route's keys, so purges reach it) and the prompt, when the route has a semantic threshold and the request has a last user message of text.</summary>
    public (string Partition, string Prompt)? Semantic { get; init; }
}
