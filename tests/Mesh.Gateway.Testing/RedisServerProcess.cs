using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Gateway.Testing;

/// <summary>A real redis-server on a free loopback port, without persistence, stopped on dispose.</summary>
/// <remarks>Shared by the Redis store tests, the functional tests and the benchmarks (linked there).</remarks>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly string[] _extraArgs;
    private Process? _process;

    private RedisServerProcess(int port, string[] extraArgs)
    {
        Port = port;
        _extraArgs = extraArgs;
    }

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RedisServerProcess> StartAsync(params string[] extraArgs)
    {
        var server = new RedisServerProcess(FreePort(), extraArgs);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same port, e.g. after <see cref="Stop"/>.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--protected-mode", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var arg in _extraArgs)
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start (apt-get install -y redis-server).");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode} on port {Port}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        throw new TimeoutException($"redis-server did not listen on {Port} within 20 s.");
    }

    /// <summary>Kills the server at once, as a crash or a node loss would.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
