using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Gateway.Interop.Tests.Infrastructure;

/// <summary>Google's Ruby interop server (Debian ruby-grpc <c>server.rb</c>) on a free port: a gRPC server that is not ours.</summary>
public sealed class RubyServerFixture : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var ruby = ExternalTool.RequireOnPath("ruby", "apt-get install -y ruby-grpc");
        var server = ExternalTool.Require(Path.Combine(ExternalTool.RubyInteropDirectory, "server.rb"), "apt-get install -y ruby-grpc");

        // server.rb cannot report a port it picked itself, so take a free one and hand it over.
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo(ruby) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { server, $"--port={Port}", "--use_tls=false" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the Ruby interop server.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var timeout = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The Ruby interop server exited with code {_process.ExitCode} before listening on {Port}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (timeout.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
