using System.Security.Cryptography;
using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>Checks the admin credential a request presents (<c>Authorization: Bearer TOKEN</c>) against <c>admin.credentials</c>
/// (the <c>admin</c> role: everything) and <c>admin.viewers</c> (the <c>viewer</c> role: read-only) of the configuration version
/// in force (a reload that adds or removes a credential counts from the next request).</summary>
/// <remarks>Thread-safe: each version's digests are one immutable snapshot swapped whole. Every configured hash of both roles is
/// compared in constant time and the scan never stops early.</remarks>
internal sealed class AdminCredentials : IHostedService, IDisposable
{
    private readonly ConfigurationVersions? _versions;
    private volatile Digests _digests;
    private IDisposable? _subscription;

    /// <summary>Reads the credentials of the version in force, and of every later one once started.</summary>
    public AdminCredentials(ConfigurationVersions versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        _versions = versions;
        _digests = Digests.Of(versions.Current.Get<AdminOptions>());
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_versions is { } versions)
        {
            _subscription = versions.Subscribe(AdminOptions.SectionName, v => _digests = Digests.Of(v.Get<AdminOptions>()));

            // A version applied between construction and subscription.
            _digests = Digests.Of(versions.Current.Get<AdminOptions>());
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

    /// <summary>Whether any credential is configured at all.</summary>
    public bool Configured => _digests.Admins.Length + _digests.Viewers.Length > 0;

    /// <summary>The role of the credential the request presents; <see cref="AdminRole.None"/> without one.</summary>
    public AdminRole RoleOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = context.Request.Headers.Authorization.ToString();
        var digests = _digests;
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || !Configured)
        {
            return AdminRole.None;
        }

        var token = header.AsSpan("Bearer ".Length).Trim();
        if (token.IsEmpty || !ApiKeyHash.TryParse(ApiKeyHash.Format(token.ToString()), out var presented))
        {
            return AdminRole.None;
        }

        var admin = false;
        foreach (var digest in digests.Admins)
        {
            admin |= CryptographicOperations.FixedTimeEquals(presented, digest);
        }

        var viewer = false;
        foreach (var digest in digests.Viewers)
        {
            viewer |= CryptographicOperations.FixedTimeEquals(presented, digest);
        }

        return admin ? AdminRole.Admin : viewer ? AdminRole.Viewer : AdminRole.None;
    }

    /// <summary>Wraps <paramref name="handler"/> for the <c>admin</c> role: 401 without a valid credential (403 when none is
    /// configured), 403 naming the role for a viewer, else the handler.</summary>
    public static RequestDelegate Require(RequestDelegate handler) => Require(AdminRole.Admin, handler);

    /// <summary>Wraps an operator's action that predates the admin API (<c>POST /admin/reload</c>, <c>DELETE /cache</c>): with
    /// <c>admin.credentials</c> configured it needs the <c>admin</c> role like the admin API; without any, it is answered only to a
    /// caller on this host (loopback or the Unix socket: a port-forward, a shell in the pod), so an admin listener opened to
    /// the network never leaves it open.</summary>
    public static RequestDelegate RequireOperator(RequestDelegate handler) => context =>
    {
        if (context.RequestServices.GetRequiredService<AdminCredentials>().Configured)
        {
            return Require(AdminRole.Admin, handler)(context);
        }

        if (context.Connection.RemoteIpAddress is { } remote && !System.Net.IPAddress.IsLoopback(remote))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync("only a caller on this host may do this without an admin credential: set admin.credentials (sha256 of a token) in the configuration\n");
        }

        return handler(context);
    };

    /// <summary>Wraps a read-only <paramref name="handler"/>: open to the <c>admin</c> and the <c>viewer</c> role.</summary>
    public static RequestDelegate RequireViewer(RequestDelegate handler) => Require(AdminRole.Viewer, handler);

    private static RequestDelegate Require(AdminRole least, RequestDelegate handler) => context =>
    {
        var credentials = context.RequestServices.GetRequiredService<AdminCredentials>();
        if (!credentials.Configured)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync("the admin API is off: set admin.credentials (sha256 of a token) in the configuration\n");
        }

        var role = credentials.RoleOf(context);
        if (role == AdminRole.None)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"mesh-gateway-admin\"";
            return context.Response.WriteAsync("an admin credential is needed: Authorization: Bearer TOKEN\n");
        }

        if (role < least)
        {
            return AdminApi.Fail(context, StatusCodes.Status403Forbidden,
                "this credential has the viewer role (admin.viewers): it may read the charts, the call log, spend and the configuration, not manage keys; this needs an admin credential (admin.credentials)");
        }

        context.Items[typeof(AdminRole)] = role;
        return handler(context);
    };

    private sealed record Digests(byte[][] Admins, byte[][] Viewers)
    {
        public static Digests Of(AdminOptions options) => new(Parse(options.Credentials), Parse(options.Viewers));

        private static byte[][] Parse(IEnumerable<string> hashes) =>
            [.. hashes.Select(static c => ApiKeyHash.TryParse(c, out var d) ? d : null).OfType<byte[]>()];
    }
}
