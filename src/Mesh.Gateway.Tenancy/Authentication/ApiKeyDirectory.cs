using System.Security.Cryptography;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>Looks a presented gateway key up among the configured hashes without early exit.</summary>
/// <remarks>Immutable and thread-safe. Every entry is compared with <see cref="CryptographicOperations.FixedTimeEquals"/>
/// and the scan never stops at a match, so the time taken says nothing about which key (or how much of it) matched.</remarks>
internal sealed class ApiKeyDirectory
{
    private readonly Entry[] _entries;

    public ApiKeyDirectory(IEnumerable<TenantOptions> tenants)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        var entries = new List<Entry>();
        foreach (var tenant in tenants)
        {
            foreach (var key in tenant.ApiKeys)
            {
                if (ApiKeyHash.TryParse(key, out var digest))
                {
                    entries.Add(new Entry(digest, tenant.Id, Revoked: false, KeyIdOf(digest)));
                }
            }

            foreach (var key in tenant.RevokedApiKeys)
            {
                if (ApiKeyHash.TryParse(key, out var digest))
                {
                    entries.Add(new Entry(digest, tenant.Id, Revoked: true, KeyIdOf(digest)));
                }
            }
        }

        _entries = [.. entries];
    }

    public ApiKeyMatch Find(ReadOnlySpan<char> presentedKey)
    {
        var digest = ApiKeyHash.Compute(presentedKey);
        var found = -1;
        for (var i = 0; i < _entries.Length; i++)
        {
            // Branch-free selection: no early exit, same work whichever entry matches.
            var equal = CryptographicOperations.FixedTimeEquals(digest, _entries[i].Digest);
            found = equal && found < 0 ? i : found;
        }

        if (found < 0)
        {
            return new ApiKeyMatch(null, Revoked: false);
        }

        var entry = _entries[found];
        return new ApiKeyMatch(entry.TenantId, entry.Revoked, entry.KeyId);
    }

    /// <summary>The key id limits and the ledger use: <c>key-</c> plus the first 12 hex digits of the key's SHA-256 (as configured; never the key).</summary>
    internal static string KeyIdOf(byte[] digest) => "key-" + Convert.ToHexStringLower(digest.AsSpan(0, 6));

    private sealed record Entry(byte[] Digest, string TenantId, bool Revoked, string KeyId);
}
