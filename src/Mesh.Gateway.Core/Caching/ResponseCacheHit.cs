using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Caching;

/// <summary>Set on a call the response cache answered: the doors flag the hit, limits and the ledger account for it.</summary>
/// <param name="Kind"><c>exact</c> or <c>semantic</c>.</param>
/// <param name="Route">The route (model name) the call asked for.</param>
/// <param name="OriginalUsage">The usage of the call whose answer was kept (reported to the caller, never charged twice).</param>
/// <param name="CostSaved">What the kept call cost, when its target had a price.</param>
/// <param name="ChargeTokens">True when the operator charges hits to token budgets too (default: request limits only).</param>
public sealed record ResponseCacheHit(string Kind, string Route, ChatUsage OriginalUsage, InferenceCost? CostSaved, bool ChargeTokens)
{
    /// <summary>The key under which a hit is kept in the call's properties.</summary>
    public static readonly InferencePropertyKey<ResponseCacheHit> Key = new("mesh.cache.hit");

    /// <summary>The header (HTTP) and metadata (gRPC) a door sets on a hit, with the value <c>hit</c> or <c>semantic-hit</c>.</summary>
    public const string HeaderName = "x-mesh-cache";

    /// <summary>The header's value for this hit.</summary>
    public string HeaderValue => Kind == "semantic" ? "semantic-hit" : "hit";
}
