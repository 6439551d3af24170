using System.Collections.Concurrent;

namespace Mesh.Gateway.Guardrails;

/// <summary>A tenant's guardrail selection (<c>guardrails.tenants.TENANT</c>).</summary>
public sealed record TenantGuardrails
{
    private readonly ConcurrentDictionary<GuardPolicy, GuardPolicy> _keyed = new(ReferenceEqualityComparer.Instance);

    /// <summary>The policy name for this tenant (<c>policy</c>); null uses the default policy.</summary>
    public string? Policy { get; init; }

    /// <summary>The tenant's HMAC key for the hash action (<c>hash_key</c>).</summary>
    public string? HashKey { get; init; }

    internal GuardPolicy PolicyWithKey(GuardPolicy policy, string key) =>
        _keyed.GetOrAdd(policy, static (p, k) => p with { HashKey = k }, key);
}
