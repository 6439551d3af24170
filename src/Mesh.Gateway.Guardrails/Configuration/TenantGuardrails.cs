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

    /// <summary>The tools this tenant's calls may declare and call (<c>tools</c>), in place of its policy's <c>tools.allow</c>; null keeps the policy's.</summary>
    public IReadOnlySet<string>? Tools { get; init; }

    internal bool Specializes => HashKey is { Length: > 0 } || Tools is not null;

    // The policy with this tenant's own hash key and tool allow-list, built once per policy.
    internal GuardPolicy Specialize(GuardPolicy policy) =>
        _keyed.GetOrAdd(policy, static (p, t) => p with
        {
            HashKey = t.HashKey is { Length: > 0 } key ? key : p.HashKey,
            Tools = t.Tools is { } tools ? p.Tools with { Allow = tools } : p.Tools,
        }, this);
}
