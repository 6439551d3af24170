using System.Security.Cryptography;
using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>Checks the admin credential a request presents (<c>Authorization: Bearer TOKEN</c>) against <c>admin.credentials</c>
/// of the configuration version in force (a reload that adds or removes a credential counts from the next request).</summary>
/// <remarks>Thread-safe: each version's digests are one immutable array swapped whole. Every configured hash is compared in
/// constant time and the scan never stops early.</remarks>
internal sealed class AdminCredentials : IHostedService, IDisposable
{
    private readonly ConfigurationVersions? _versions;
    private volatile byte[][] _digests;
    private IDisposable? _subscription;

    /// <summary>Reads the credentials of the version in force, and of every later one once started.</summary>
    public AdminCredentials(ConfigurationVersions versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        _versions = versions;
        _digests = Digests(versions.Current.Get<AdminOptions>());
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_versions is { } versions)
        {
            _subscription = versions.Subscribe(AdminOptions.SectionName, v => _digests = Digests(v.Get<AdminOptions>()));

            // A version applied between construction and subscription.
            _digests = Digests(versions.Current.Get<AdminOptions>());
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _subscription = null;
    }

    private static byte[][] Digests(AdminOptions options) =>
        [.. options.Credentials.Select(static c => ApiKeyHash.TryParse(c, out var d) ? d : null).OfType<byte[]>()];

    /// <summary>Whether any credential is configured at all.</summary>
    public bool Configured => _digests.Length > 0;

    public bool Accepts(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = context.Request.Headers.Authorization.ToString();
        var digests = _digests;
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || digests.Length == 0)
        {
            return false;
        }

        var token = header.AsSpan("Bearer ".Length).Trim();
        if (token.IsEmpty)
        {
            return false;
        }

        if (!ApiKeyHash.TryParse(ApiKeyHash.Format(token.ToString()), out var presented))
        {
            return false;
        }

        var accepted = false;
        foreach (var digest in digests)
        {
            accepted |= CryptographicOperations.FixedTimeEquals(presented, digest);
        }

        return accepted;
    }

    /// <summary>Wraps <paramref name="handler"/>: 401 without a valid credential (403 when none is configured), else the handler.</summary>
    public static RequestDelegate Require(RequestDelegate handler) => context =>
    {
        var credentials = context.RequestServices.GetRequiredService<AdminCredentials>();
        if (!credentials.Configured)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync("the admin API is off: set admin.credentials (sha256 of a token) in the configuration\n");
        }

        if (!credentials.Accepts(context))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"mesh-gateway-admin\"";
            return context.Response.WriteAsync("an admin credential is needed: Authorization: Bearer TOKEN\n");
        }

        return handler(context);
    };
}
