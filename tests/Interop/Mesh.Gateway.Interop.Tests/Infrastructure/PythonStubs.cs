namespace Mesh.Gateway.Interop.Tests.Infrastructure;

/// <summary>Python stubs generated once per test run (generate.py: Debian protoc + grpc_python_plugin) into a temp folder.</summary>
internal static class PythonStubs
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _directory;

    public static async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (_directory is not null)
            {
                return _directory;
            }

            var python = ExternalTool.Require(ExternalTool.Python, "apt-get install -y python3-grpcio python3-protobuf");
            var output = Path.Combine(Path.GetTempPath(), "mesh-gateway-interop-python-" + Environment.ProcessId);
            var result = await ExternalTool.RunAsync(
                python,
                [Path.Combine(RepositoryPaths.Interop, "python", "generate.py"), output],
                TimeSpan.FromSeconds(60),
                cancellationToken: cancellationToken);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException("Generating the Python stubs failed:\n" + result);
            }

            _directory = result.StandardOutput.Trim();
            return _directory;
        }
        finally
        {
            Gate.Release();
        }
    }
}
