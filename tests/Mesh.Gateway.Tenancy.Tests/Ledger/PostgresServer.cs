using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Gateway.Tenancy.Tests.Ledger;

/// <summary>A throwaway PostgreSQL cluster (Debian's <c>postgresql</c> package) in a temp folder on a free loopback port.</summary>
/// <remarks>initdb refuses to run as root, so as root the cluster is created and run as the <c>postgres</c> user through runuser.
/// Trust authentication for user <c>mesh</c>, loopback only; stopped (fast) and deleted on dispose.</remarks>
internal sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _bin;

    private PostgresServer(string dir, string bin, int port)
    {
        _dir = dir;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=mesh;Database=postgres;Pooling=true";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed (apt-get install -y postgresql; .ci/run does).");
        }

        var dir = Path.Combine(Path.GetTempPath(), "mesh-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var server = new PostgresServer(dir, bin, FreePort());
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["postgres:postgres", dir]);
        }

        await server.RunPgAsync("initdb", ["-D", Path.Combine(dir, "data"), "-U", "mesh", "-A", "trust", "--no-sync", "-E", "UTF8"]);
        await server.RunPgAsync("pg_ctl", ["-D", Path.Combine(dir, "data"), "-l", Path.Combine(dir, "log"), "-w", "-t", "60",
            "-o", $"-p {server.Port.ToString(CultureInfo.InvariantCulture)} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunPgAsync("pg_ctl", ["-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private Task RunPgAsync(string tool, IReadOnlyList<string> arguments) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
            : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
