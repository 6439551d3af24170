using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>TLS for the gRPC listener (<c>listen.tls</c>): the server certificate and, for mutual TLS, the client CA.</summary>
internal sealed class TlsSettings
{
    private TlsSettings(X509Certificate2 certificate, X509Certificate2Collection chain, X509Certificate2Collection? clientCertificateAuthorities)
    {
        Certificate = certificate;
        Chain = chain;
        ClientCertificateAuthorities = clientCertificateAuthorities;
    }

    /// <summary>The server certificate with its private key (<c>listen.tls.cert</c> + <c>listen.tls.key</c>).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificates after the first in <c>listen.tls.cert</c> (intermediates), sent with it.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>The CAs a client certificate must chain to (<c>listen.tls.client_ca</c>); null = no client certificate asked.</summary>
    public X509Certificate2Collection? ClientCertificateAuthorities { get; }

    /// <summary>Reads <c>listen.tls</c>; null when the section is absent.</summary>
    /// <exception cref="StartupException">A file is missing, unreadable or holds no usable PEM; the message names the key.</exception>
    public static TlsSettings? Load(IConfiguration configuration)
    {
        var section = configuration.GetSection("listen:tls");
        if (!section.Exists())
        {
            return null;
        }

        var certPem = ReadPem(section, "cert", required: true)!;
        var keyPem = ReadPem(section, "key", required: true)!;
        var clientCaPem = ReadPem(section, "client_ca", required: false);

        var chain = ImportCertificates(certPem, "cert", section["cert"]!);
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certPem, keyPem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // CryptographicException: no usable key in the file; ArgumentException: a key, but of another certificate.
            throw new StartupException($"listen.tls.key: '{section["key"]}' is not the private key of the certificate in '{section["cert"]}' ({ex.Message})");
        }

        chain.RemoveAt(0);
        var clientCas = clientCaPem is null ? null : ImportCertificates(clientCaPem, "client_ca", section["client_ca"]!);
        return new TlsSettings(certificate, chain, clientCas);
    }

    /// <summary>Accepts a client certificate only when it chains to one of <see cref="ClientCertificateAuthorities"/>.</summary>
    public bool ValidateClientCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ClientCertificateAuthorities!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2")); // client authentication
        return chain.Build(certificate);
    }

    /// <summary>The Kestrel callback: the platform's chain errors are replaced by a chain built on the client CAs alone.</summary>
    public bool ValidateClientCertificate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors) => ValidateClientCertificate(certificate);

    private static string? ReadPem(IConfigurationSection section, string key, bool required)
    {
        var path = section[key];
        if (string.IsNullOrWhiteSpace(path))
        {
            return required ? throw new StartupException($"listen.tls.{key}: required when listen.tls is set (a PEM file path)") : null;
        }

        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new StartupException($"listen.tls.{key}: file '{path}' does not exist");
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"listen.tls.{key}: cannot read '{path}': {ex.Message}");
        }
    }

    private static X509Certificate2Collection ImportCertificates(string pem, string key, string path)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new StartupException($"listen.tls.{key}: '{path}' holds a malformed PEM certificate ({ex.Message})");
        }

        return certificates.Count > 0
            ? certificates
            : throw new StartupException($"listen.tls.{key}: '{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
}
