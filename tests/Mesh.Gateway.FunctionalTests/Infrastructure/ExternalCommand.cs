using System.Diagnostics;

namespace Mesh.Gateway.FunctionalTests.Infrastructure;

/// <summary>Runs a command-line tool (protoc, python3, node) to completion, with a timeout, and gives its exit code and output.</summary>
internal static class ExternalCommand
{
    /// <summary>The repository root (the folder holding Mesh.Gateway.sln), found from the test binaries upwards.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static async Task<(int Code, string Output)> RunAsync(
        string file, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mesh.Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }
}
