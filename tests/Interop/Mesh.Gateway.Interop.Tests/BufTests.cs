using Mesh.Gateway.Interop.Tests.Infrastructure;

namespace Mesh.Gateway.Interop.Tests;

/// <summary>protos/ stays buf lint clean, and buf format leaves our own protos unchanged (as .ci/run checks too).</summary>
public sealed class BufTests
{
    private static string Buf => ExternalTool.Require(
        Path.Combine(RepositoryPaths.Root, "tools", "buf", "node_modules", ".bin", "buf"), "run `bash tests/run.sh` (the README's test command installs tools/buf)");

    [Fact]
    public async Task BufLint_Protos_Clean()
    {
        var result = await ExternalTool.RunAsync(Buf, ["lint"], TimeSpan.FromSeconds(90), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task BufFormat_OurProtos_Unchanged()
    {
        var result = await ExternalTool.RunAsync(
            Buf, ["format", "--diff", "--exit-code", "--path", "protos/mesh"], TimeSpan.FromSeconds(90), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(string.Empty, result.StandardOutput.Trim());
    }
}
