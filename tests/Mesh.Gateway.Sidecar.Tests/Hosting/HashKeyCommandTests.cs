using Mesh.Gateway.Tenancy.Authentication;

namespace Mesh.Gateway.Sidecar.Tests.Hosting;

/// <summary><c>mesh-gateway hash-key</c> turns a key read from standard input into the form tenants[].api_keys holds.</summary>
public sealed class HashKeyCommandTests
{
    [Fact]
    public async Task HashKey_KeyOnStandardInput_PrintsItsSha256FormAndExits0()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await GatewayHost.RunAsync(["hash-key"], output, error, new StringReader("sk-mesh-test-key\n"));

        Assert.Equal(0, exit);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("sk-mesh-test-key"u8)), output.ToString().Trim());
        Assert.True(ApiKeyHash.TryParse(output.ToString().Trim(), out _));
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task HashKey_NothingOnStandardInput_SaysHowAndExits2()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await GatewayHost.RunAsync(["hash-key"], output, error, new StringReader(string.Empty));

        Assert.Equal(2, exit);
        Assert.StartsWith("mesh-gateway: hash-key: no key on standard input", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }
}
