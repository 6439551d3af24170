using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Net.Client;

namespace Mesh.Gateway.FunctionalTests.Infrastructure;

/// <summary>
/// The sidecar as a separate process (<c>dotnet Mesh.Gateway.Sidecar.dll --config ...</c>), for tests that need real
/// signals, exit codes or several sidecars. Ports come from the sidecar's "Listening: gRPC on ..., admin on ..." log line.
/// </summary>
public sealed partial class SidecarProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<(string Grpc, string Admin)> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _configPath;
    private GrpcChannel? _channel;

    // Every process started and not yet disposed: a test that never disposes its host (some keep one in a field) would
    // otherwise leave its sidecar running after the test run (session 12: 111 native sidecars after two runs).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Process> s_running = new();

    static SidecarProcess() => AppDomain.CurrentDomain.ProcessExit += static (_, _) =>
    {
        foreach (var process in s_running.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        }
    };

    private SidecarProcess(Process process, string? configPath)
    {
        _process = process;
        _configPath = configPath;
        s_running[process.Id] = process;
    }

    /// <summary>The gRPC target (<c>http://127.0.0.1:port</c> or <c>unix:/path</c>).</summary>
    public string GrpcTarget { get; private set; } = string.Empty;

    /// <summary>The admin base address (TCP listeners only).</summary>
    public Uri? AdminAddress { get; private set; }

    /// <summary>The process id (to signal it).</summary>
    public int Id => _process.Id;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>A channel to the process's gRPC listener.</summary>
    public GrpcChannel Channel => _channel ??= Mesh.Gateway.Client.MeshGatewayChannel.ForAddress(GrpcTarget);

    /// <summary>
    /// The published sidecar the tests run against instead of <c>dotnet Mesh.Gateway.Sidecar.dll</c> (env
    /// <c>MESH_SIDECAR_EXECUTABLE</c>: the native executable of <c>dotnet publish sidecar -r linux-x64 -p:PublishAot=true</c>), or
    /// null. With it, <see cref="SidecarHost"/> starts that executable too (tests/run.sh runs the suite both ways).
    /// </summary>
    public static string? Executable => Environment.GetEnvironmentVariable("MESH_SIDECAR_EXECUTABLE") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>The sidecar assembly built beside the tests (the FunctionalTests project references the sidecar project).</summary>
    public static string SidecarDll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "Mesh.Gateway.Sidecar.dll");
            return File.Exists(path) && File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json"))
                ? path
                : throw new FileNotFoundException($"Mesh.Gateway.Sidecar.dll and its runtimeconfig.json are not in {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>Starts a sidecar with <paramref name="yaml"/> as its --config file and waits until it listens.</summary>
    /// <param name="yaml">The configuration file's content (null: no --config).</param>
    /// <param name="arguments">More command-line arguments; by default both listeners go to 127.0.0.1:0.</param>
    /// <param name="environment">Extra environment variables for the process.</param>
    public static Task<SidecarProcess> StartAsync(string? yaml, IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string>? environment = null) =>
        StartWithEnvironmentAsync(yaml, arguments, environment?.ToDictionary(static e => e.Key, static string? (e) => e.Value));

    /// <summary>As above; a null value removes that variable from the process's environment.</summary>
    internal static async Task<SidecarProcess> StartWithEnvironmentAsync(string? yaml, IEnumerable<string>? arguments, IReadOnlyDictionary<string, string?>? environment)
    {
        var process = Launch(yaml, arguments ?? ["--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0"], environment, out var configPath);
        var sidecar = new SidecarProcess(process, configPath);
        sidecar.Attach();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exited = process.WaitForExitAsync(timeout.Token);
        var first = await Task.WhenAny(sidecar._listening.Task, exited);
        if (first != sidecar._listening.Task)
        {
            // Read before the dispose: a disposed Process no longer answers HasExited ("No process is associated").
            var output = sidecar.Output;
            int? exitCode = process.HasExited ? process.ExitCode : null;
            var exit = exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none: timed out";
            await sidecar.DisposeAsync();
            throw new SidecarDidNotStartException(exitCode, $"The sidecar did not start (exit {exit}):\n{output}", output);
        }

        var (grpc, admin) = await sidecar._listening.Task;
        sidecar.GrpcTarget = grpc.StartsWith('/') ? "unix:" + grpc : "http://" + grpc;
        sidecar.AdminAddress = admin.StartsWith('/') ? null : new Uri("http://" + admin);
        return sidecar;
    }

    /// <summary>Runs the sidecar expecting it to stop on its own (a start error): its exit code and output.</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunToExitAsync(string? yaml, IEnumerable<string> arguments)
    {
        using var process = Launch(yaml, arguments, null, out var configPath);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("The sidecar kept running; a start error was expected.");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            DeleteConfig(configPath);
        }
    }

    /// <summary>The first match of <paramref name="pattern"/> in the output, waiting up to <paramref name="timeout"/> for it; null if none came.</summary>
    internal async Task<Match?> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var until = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            if (pattern.Match(Output) is { Success: true } match)
            {
                return match;
            }

            if (Environment.TickCount64 > until || _process.HasExited)
            {
                return null;
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Sends SIGTERM, as Kubernetes does to stop a pod.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed with exit code {kill.ExitCode}.");
        }
    }

    /// <summary>Kills the process (SIGKILL), as a stop given up.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The sidecar did not exit within {timeout.TotalSeconds} s:\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        s_running.TryRemove(_process.Id, out _);
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        DeleteConfig(_configPath);
    }

    private static Process Launch(string? yaml, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment, out string? configPath)
    {
        var executable = Executable;
        var start = new ProcessStartInfo(executable ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (executable is null)
        {
            start.ArgumentList.Add(SidecarDll);
        }

        configPath = null;
        if (yaml is not null)
        {
            configPath = Path.Combine(Path.GetTempPath(), $"mesh-sidecar-{Guid.NewGuid():N}.yaml");
            File.WriteAllText(configPath, yaml);
            start.ArgumentList.Add("--config");
            start.ArgumentList.Add(configPath);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
    }

    private static void DeleteConfig(string? path)
    {
        if (path is not null)
        {
            File.Delete(path);
        }
    }

    private void Attach()
    {
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                _listening.TrySetResult((match.Groups["grpc"].Value, match.Groups["admin"].Value));
            }
        }

        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    [GeneratedRegex(@"Listening: gRPC on (?<grpc>\S+), admin on (?<admin>\S+?)(\s|$|"")")]
    private static partial Regex ListeningLine();
}

/// <summary>The sidecar process ended (or timed out) before it listened: its exit code (null: timed out) and its output.</summary>
internal sealed class SidecarDidNotStartException(int? exitCode, string message, string output) : InvalidOperationException(message)
{
    public int? ExitCode { get; } = exitCode;

    public string Output { get; } = output;
}
