using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>The shared secret the proxy sends on the Envoy door (<c>listen.envoy_secret_file</c> or <c>listen.envoy_secret</c>),
/// compared in constant time.</summary>
internal sealed class EnvoyCallerSecret
{
    /// <summary>Shorter secrets are refused at start: the secret is the only thing between a neighbour process and the provider keys.</summary>
    public const int MinimumLength = 32;

    private readonly byte[] _secret;

    private EnvoyCallerSecret(byte[] secret) => _secret = secret;

    /// <summary>Whether <paramref name="presented"/> is the secret (constant time in the secret's length).</summary>
    public bool Matches(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(presented);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(bytes), SHA256.HashData(_secret));
    }

    /// <summary>Reads the secret; a TCP listener without one, a secret given twice, or a short one stops the start.</summary>
    /// <exception cref="StartupException">The message names the key.</exception>
    public static EnvoyCallerSecret? Load(IConfiguration configuration, ListenAddress envoy)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(envoy);
        var inline = configuration["listen:envoy_secret"];
        var file = configuration["listen:envoy_secret_file"];
        if (!string.IsNullOrEmpty(inline) && !string.IsNullOrEmpty(file))
        {
            throw new StartupException("listen.envoy_secret and listen.envoy_secret_file: set one, not both");
        }

        string? text = inline;
        var key = "listen.envoy_secret";
        if (!string.IsNullOrEmpty(file))
        {
            key = "listen.envoy_secret_file";
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StartupException($"listen.envoy_secret_file: cannot read '{file}': {ex.Message}");
            }
        }

        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return envoy.UnixPath is null
                ? throw new StartupException($"listen.envoy: the Envoy door on TCP ({envoy}) needs listen.envoy_secret_file (the proxy sends it in grpc_service.initial_metadata as {EnvoyCallerAuthentication.SecretHeader}); or listen on unix:/path in a volume only the proxy mounts")
                : null;
        }

        if (text.Length < MinimumLength)
        {
            throw new StartupException($"{key}: the secret must be at least {MinimumLength} characters (for example: openssl rand -hex 32)");
        }

        if (text.Any(c => c < 0x21 || c > 0x7e))
        {
            throw new StartupException($"{key}: the secret must be printable ASCII without spaces (it travels as a header value)");
        }

        return new EnvoyCallerSecret(Encoding.UTF8.GetBytes(text));
    }
}
