using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Health.V1;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Grpc.Net.Client;

namespace Mesh.Gateway.FunctionalTests.Host;

/// <summary>
/// <c>listen.tls</c>: the gRPC listener over TLS (ALPN h2) with a certificate made by the test, called by our channel and by
/// Python grpcio; mutual TLS with <c>client_ca</c>; start-up errors that name the key.
/// </summary>
public sealed class TlsListenerTests : IDisposable
{
    // Calls /grpc.health.v1.Health/Check with raw bytes (no generated stubs) and prints the response as hex.
    private const string PythonHealthCheck = """
        import sys, grpc
        ca = open(sys.argv[2], 'rb').read()
        key = open(sys.argv[3], 'rb').read() if len(sys.argv) > 3 else None
        chain = open(sys.argv[4], 'rb').read() if len(sys.argv) > 4 else None
        credentials = grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=chain)
        with grpc.secure_channel(sys.argv[1], credentials) as channel:
            check = channel.unary_unary('/grpc.health.v1.Health/Check')
            try:
                print(check(b'', timeout=30).hex())
            except grpc.RpcError as e:
                print('error', e.code().name)
                sys.exit(3)
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("mesh-tls-").FullName;
    private readonly X509Certificate2 _ca;
    private readonly string _caPath;
    private readonly string _certPath;
    private readonly string _keyPath;

    public TlsListenerTests()
    {
        _ca = CreateCertificateAuthority("CN=Mesh Test CA");
        _caPath = WritePem("ca.pem", _ca.ExportCertificatePem());
        using var server = Issue(_ca, "CN=localhost", serverAuth: true);
        _certPath = WritePem("cert.pem", server.ExportCertificatePem());
        _keyPath = WritePem("key.pem", server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Tls_CertAndKey_AlpnH2AndOurChannelAndPythonGrpcioCheckHealth()
    {
        await using var sidecar = await SidecarHost.StartAsync($"listen:\n  tls:\n    cert: {_certPath}\n    key: {_keyPath}\n");
        var port = Assert.IsType<IPEndPoint>(sidecar.GrpcEndPoint).Port;

        // The handshake itself: ALPN picks h2.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, port, Ct);
            await using var ssl = new SslStream(tcp.GetStream());
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                RemoteCertificateValidationCallback = (_, certificate, _, _) => ChainsTo(certificate, _ca),
            }, Ct);
            Assert.Equal(SslApplicationProtocol.Http2, ssl.NegotiatedApplicationProtocol);
        }

        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => ChainsTo(certificate, _ca);
        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        var (exitCode, output) = await RunPythonAsync($"127.0.0.1:{port}", _caPath);
        Assert.True(exitCode == 0, output);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, HealthCheckResponse.Parser.ParseFrom(Convert.FromHexString(output.Trim())).Status);
    }

    [Fact]
    public async Task MutualTls_ClientCa_ClientsWithoutACertificateAreRefusedAndClientsWithOneAreServed()
    {
        using var client = Issue(_ca, "CN=mesh-test-client", serverAuth: false);
        var clientCertPath = WritePem("client.pem", client.ExportCertificatePem());
        var clientKeyPath = WritePem("client-key.pem", client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        using var stranger = CreateCertificateAuthority("CN=Someone Else");
        using var strangerClient = Issue(stranger, "CN=stranger", serverAuth: false);
        await using var sidecar = await SidecarHost.StartAsync($"listen:\n  tls:\n    cert: {_certPath}\n    key: {_keyPath}\n    client_ca: {_caPath}\n");
        var address = $"https://127.0.0.1:{Assert.IsType<IPEndPoint>(sidecar.GrpcEndPoint).Port}";

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await CheckAsync(address, client));
        // Grpc.Net.Client reports a handshake the server refused as INTERNAL (it cannot tell it from a protocol error);
        // Python's grpcio, below, as UNAVAILABLE. Either way the call was refused before it reached a service.
        var refused = await Assert.ThrowsAsync<RpcException>(() => CheckAsync(address, clientCertificate: null));
        Assert.Contains(refused.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
        var untrusted = await Assert.ThrowsAsync<RpcException>(() => CheckAsync(address, strangerClient));
        Assert.Contains(untrusted.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });

        var (exitCode, output) = await RunPythonAsync(address["https://".Length..], _caPath, clientKeyPath, clientCertPath);
        Assert.True(exitCode == 0, output);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, HealthCheckResponse.Parser.ParseFrom(Convert.FromHexString(output.Trim())).Status);
        var (refusedExit, refusedOutput) = await RunPythonAsync(address["https://".Length..], _caPath);
        Assert.Equal(3, refusedExit);
        Assert.Equal("error UNAVAILABLE", refusedOutput.Trim());
    }

    [Theory]
    [InlineData("missing-cert", "listen.tls.cert: file '{missing}' does not exist")]
    [InlineData("unreadable-key", "listen.tls.key: cannot read '{dir}':")]
    [InlineData("no-key", "listen.tls.key: required when listen.tls is set")]
    [InlineData("wrong-key", "listen.tls.key: '{other}' is not the private key of the certificate in '{cert}'")]
    [InlineData("not-a-cert", "listen.tls.cert: '{key}' holds no PEM certificate")]
    [InlineData("missing-client-ca", "listen.tls.client_ca: file '{missing}' does not exist")]
    [InlineData("unknown-key", "configuration:5:5: unknown key 'listen.tls.ca' (known: cert, key, client_ca)")]
    public async Task StartupError_BadTlsFiles_NameTheKey(string scenario, string expected)
    {
        var missing = Path.Combine(_directory, "missing.pem");
        using var other = Issue(_ca, "CN=other", serverAuth: true);
        var otherKey = WritePem("other-key.pem", other.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var tls = scenario switch
        {
            "missing-cert" => $"cert: {missing}\n    key: {_keyPath}",
            "unreadable-key" => $"cert: {_certPath}\n    key: {_directory}",
            "no-key" => $"cert: {_certPath}",
            "wrong-key" => $"cert: {_certPath}\n    key: {otherKey}",
            "not-a-cert" => $"cert: {_keyPath}\n    key: {_keyPath}",
            "missing-client-ca" => $"cert: {_certPath}\n    key: {_keyPath}\n    client_ca: {missing}",
            _ => $"cert: {_certPath}\n    key: {_keyPath}\n    ca: {_caPath}",
        };

        var error = await Assert.ThrowsAsync<Sidecar.Hosting.StartupException>(() => SidecarHost.StartAsync($"listen:\n  tls:\n    {tls}\n"));

        // The place names the YAML's source: "configuration" for text given in process, the --config file's path for the
        // published executable (MESH_SIDECAR_EXECUTABLE); the line and column are the same.
        var message = System.Text.RegularExpressions.Regex.Replace(error.Message, @"^/\S+?\.yaml(?=:\d+:\d+: )", "configuration");
        Assert.StartsWith(
            expected.Replace("{missing}", missing).Replace("{dir}", _directory).Replace("{other}", otherKey).Replace("{cert}", _certPath).Replace("{key}", _keyPath),
            message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartupError_MissingCertificate_ProcessPrintsTheKeyAndExits1()
    {
        var missing = Path.Combine(_directory, "gone.pem");

        var (exitCode, _, stderr) = await SidecarProcess.RunToExitAsync(
            $"listen:\n  tls:\n    cert: {missing}\n    key: {_keyPath}\n", ["--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0"]);

        Assert.Equal(1, exitCode);
        Assert.Equal($"mesh-gateway: listen.tls.cert: file '{missing}' does not exist", stderr.Trim());
    }

    private async Task<HealthCheckResponse.Types.ServingStatus> CheckAsync(string address, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => ChainsTo(certificate, _ca);
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        var response = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: Ct);
        return response.Status;
    }

    private static async Task<(int ExitCode, string Output)> RunPythonAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(PythonHealthCheck);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static bool ChainsTo(X509Certificate? certificate, X509Certificate2 ca)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private static X509Certificate2 CreateCertificateAuthority(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        // Longer-lived than what it issues: a child may not outlive its issuer.
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-10), now.AddDays(2));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    private string WritePem(string name, string pem)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, pem);
        return path;
    }
}
