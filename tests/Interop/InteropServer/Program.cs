// The gRPC interop server on Grpc.AspNetCore: dotnet run --project tests/Interop/InteropServer -- --port N
// Accepts the standard interop server flags (--port=N, --use_tls=false); prints "listening on port N" once started.
using System.Globalization;
using Mesh.Gateway.InteropServer;

int? port = null;
for (var i = 0; i < args.Length; i++)
{
    var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Length ? args[i + 1] : null);
    var consumedNext = !args[i].Contains('=', StringComparison.Ordinal);
    switch (name)
    {
        case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535:
            port = p;
            break;
        case "--use_tls" when value is "false":
            break;
        case "--use_tls":
            await Console.Error.WriteLineAsync("interop server: TLS is not supported; pass --use_tls=false").ConfigureAwait(false);
            return 2;
        default:
            await Console.Error.WriteLineAsync($"interop server: unknown or invalid argument '{args[i]}' (usage: --port N [--use_tls=false])").ConfigureAwait(false);
            return 2;
    }

    if (consumedNext)
    {
        i++;
    }
}

if (port is null)
{
    await Console.Error.WriteLineAsync("interop server: --port N is required").ConfigureAwait(false);
    return 2;
}

await using var app = InteropServerHost.Build(port.Value);
await app.StartAsync().ConfigureAwait(false);
Console.WriteLine($"listening on port {InteropServerHost.GetPort(app)}");
await app.WaitForShutdownAsync().ConfigureAwait(false);
return 0;
