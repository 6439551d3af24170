using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Mesh.Gateway.Grpc.Tests.Infrastructure;
using Mesh.Gateway.Grpc.Tests.Protos;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Xunit;

namespace Mesh.Gateway.Grpc.Tests;

/// <summary>TLS, Kestrel limits and keepalive settings.</summary>
public sealed class TransportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tls_ListenGrpcWithHttps_ClientValidatesCertificateAndCalls()
    {
        using var certificate = CreateCertificate();
        await using var server = await TestServer.StartAsync(listenOptions: o => o.UseHttps(certificate));
        Assert.StartsWith("https://", server.Address, StringComparison.Ordinal);
        var seen = 0;
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions
        {
            ServerCertificateValidation = (_, cert, _, _) =>
            {
                Interlocked.Increment(ref seen);
                return cert is not null && cert.GetCertHashString() == certificate.GetCertHashString();
            },
        });
        var client = new TestService.TestServiceClient(channel);

        var response = await client.UnaryAsync(new EchoRequest { Text = "over tls" }, cancellationToken: Ct);

        Assert.Equal("over tls", response.Text);
        Assert.True(seen > 0);
    }

    [Fact]
    public async Task Tls_UntrustedCertificate_Unavailable()
    {
        using var certificate = CreateCertificate();
        await using var server = await TestServer.StartAsync(listenOptions: o => o.UseHttps(certificate));
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new EchoRequest(), cancellationToken: Ct));

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Fact]
    public async Task ClientStreaming_MoreThanKestrelsDefaultBodyLimit_Accepted()
    {
        // Kestrel's MaxRequestBodySize (30,000,000 bytes) also applies to HTTP/2 streams; calls lift it.
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);
        var chunk = new EchoRequest { Payload = ByteString.CopyFrom(new byte[1024 * 1024]) };

        using var call = client.ClientStream(cancellationToken: Ct);
        for (var i = 0; i < 32; i++)
        {
            await call.RequestStream.WriteAsync(chunk, Ct);
        }

        await call.RequestStream.CompleteAsync();

        Assert.Equal(32, (await call).Count);
    }

    [Fact]
    public async Task KeepAlive_PingsConfiguredOnBothSides_IdleStreamSurvives()
    {
        await using var server = await TestServer.StartAsync(kestrel: k => k.ConfigureGrpcLimits(keepAlivePingDelay: TimeSpan.FromSeconds(1), keepAlivePingTimeout: TimeSpan.FromSeconds(5)));
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { KeepAlivePingDelay = TimeSpan.FromSeconds(1), KeepAlivePingTimeout = TimeSpan.FromSeconds(5) });
        var client = new TestService.TestServiceClient(channel);

        // A stream that stays idle across several ping intervals survives (pings are answered on both sides).
        using var call = client.ServerStream(new EchoRequest { Repeat = 2, DelayMs = 2500 }, cancellationToken: Ct);
        var count = 0;
        await foreach (var unused in call.ResponseStream.ReadAllAsync(Ct))
        {
            count++;
        }

        Assert.Equal(2, count);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));
    }
}
