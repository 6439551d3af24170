using System.Diagnostics;
using System.Text;

namespace Mesh.Gateway.Interop.Tests.Infrastructure;

/// <summary>Runs external programs (interop clients, servers, buf) and fails loudly when one is missing.</summary>
internal static class ExternalTool
{
    /// <summary>Debian's interpreter, which has python3-grpcio (a pyenv python3 earlier on PATH may not).</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>The Ruby interop client and server that Debian's ruby-grpc ships.</summary>
    public const string RubyInteropDirectory = "/usr/lib/x86_64-linux-gnu/rubygems-integration/3.1.0/gems/grpc-1.51.1/src/ruby/pb/test";

    /// <summary>Returns <paramref name="path"/>, or throws naming what installs it.</summary>
    public static string Require(string path, string installHint)
    {
        if (File.Exists(path))
        {
            return path;
        }

        throw new InvalidOperationException($"{path} is missing; {installHint} (bash .ci/run installs every prerequisite).");
    }

    /// <summary>Finds <paramref name="name"/> on PATH, or throws naming what installs it.</summary>
    public static string RequireOnPath(string name, string installHint)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(directory, name);
            if (directory.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{name}' is not on PATH; {installHint} (bash .ci/run installs every prerequisite).");
    }

    /// <summary>Runs a program to completion (killing it after <paramref name="timeout"/>) and captures its output.</summary>
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var command = fileName + " " + string.Join(' ', start.ArgumentList);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}.");
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (error) { error.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"{command} did not finish within {timeout.TotalSeconds} s.\nstdout:\n{output}\nstderr:\n{error}");
        }

        // WaitForExitAsync returns once the output streams are drained as well.
        return new ProcessResult(command, process.ExitCode, output.ToString(), error.ToString());
    }
}
