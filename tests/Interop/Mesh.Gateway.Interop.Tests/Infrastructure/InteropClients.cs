namespace Mesh.Gateway.Interop.Tests.Infrastructure;

/// <summary>Runs one test case of an external interop client and asserts that it passed.</summary>
internal static class InteropClients
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Google's Ruby interop client (Debian ruby-grpc) against 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task RunRubyAsync(int port, string testCase)
    {
        var ruby = ExternalTool.RequireOnPath("ruby", "apt-get install -y ruby-grpc");
        var client = ExternalTool.Require(Path.Combine(ExternalTool.RubyInteropDirectory, "client.rb"), "apt-get install -y ruby-grpc");
        var result = await ExternalTool.RunAsync(
            ruby,
            [client, "--server_host=127.0.0.1", $"--server_port={port}", "--use_tls=false", $"--test_case={testCase}"],
            Timeout,
            cancellationToken: TestContext.Current.CancellationToken);
        AssertPassed(result, testCase, result.StandardOutput + result.StandardError);
    }

    /// <summary>The grpc-js client (tests/Interop/node/client.js).</summary>
    public static async Task RunNodeAsync(int port, string testCase)
    {
        var node = ExternalTool.RequireOnPath("node", "install Node.js 20");
        var directory = Path.Combine(RepositoryPaths.Interop, "node");
        ExternalTool.Require(Path.Combine(directory, "node_modules", "@grpc", "grpc-js", "package.json"), "run `bash tests/run.sh` (the README's test command installs tests/Interop/node's npm packages)");
        var result = await ExternalTool.RunAsync(
            node,
            [Path.Combine(directory, "client.js"), $"--server_port={port}", $"--test_case={testCase}"],
            Timeout,
            directory,
            TestContext.Current.CancellationToken);
        AssertPassed(result, testCase, result.StandardOutput);
    }

    /// <summary>The Python grpcio client (tests/Interop/python/client.py) with stubs generated for this run.</summary>
    public static async Task RunPythonAsync(int port, string testCase)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var stubs = await PythonStubs.GetAsync(cancellationToken);
        var result = await ExternalTool.RunAsync(
            ExternalTool.Python,
            [Path.Combine(RepositoryPaths.Interop, "python", "client.py"), $"--gen={stubs}", $"--server_port={port}", $"--test_case={testCase}"],
            Timeout,
            cancellationToken: cancellationToken);
        AssertPassed(result, testCase, result.StandardOutput);
    }

    private static void AssertPassed(ProcessResult result, string testCase, string output)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(output.Contains($"OK: {testCase}", StringComparison.Ordinal), $"no 'OK: {testCase}' in the output:\n{result}");
    }
}
