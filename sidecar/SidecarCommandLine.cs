using System.CommandLine;

namespace Mesh.Gateway.Sidecar;

/// <summary>The sidecar's command line: <c>--config PATH</c>, <c>--grpc ADDRESS</c>, <c>--admin ADDRESS</c>, <c>--http ADDRESS</c>, <c>--envoy ADDRESS</c>; <c>hash-key</c> prints a key's <c>sha256:</c> form.</summary>
internal static class SidecarCommandLine
{
    private static readonly Option<string?> Config = new("--config", "-c")
    {
        Description = "YAML configuration file",
        HelpName = "PATH",
    };

    private static readonly Option<string?> Grpc = new("--grpc")
    {
        Description = "gRPC listener, host:port or unix:/path (wins over listen.grpc; default 127.0.0.1:50051)",
        HelpName = "ADDRESS",
    };

    private static readonly Option<string?> Admin = new("--admin")
    {
        Description = "admin HTTP listener, host:port or unix:/path (wins over listen.admin; default 127.0.0.1:50080)",
        HelpName = "ADDRESS",
    };

    private static readonly Option<string?> Http = new("--http")
    {
        Description = "HTTP door (OpenAI- and Anthropic-compatible REST), host:port or unix:/path (wins over listen.http; off unless one is given)",
        HelpName = "ADDRESS",
    };

    private static readonly Option<string?> Envoy = new("--envoy")
    {
        Description = "Envoy door (ext_authz, ext_proc), unix:/path or host:port (wins over listen.envoy; used only when the door is on)",
        HelpName = "ADDRESS",
    };

    /// <summary>Parses <paramref name="args"/>: start options, or an exit code when the command line was help or an error.</summary>
    public static (SidecarStartOptions? Options, int ExitCode) Parse(string[] args, TextWriter output, TextWriter error, TextReader? input = null)
    {
        var hashKey = new Command("hash-key", "Reads a gateway key from standard input and prints the sha256: form to write in tenants[].api_keys");
        hashKey.SetAction(_ => HashKey(input ?? System.Console.In, output, error, prompt: input is null && !System.Console.IsInputRedirected));
        var root = new RootCommand("Mesh.Gateway: the AI gateway sidecar") { Config, Grpc, Admin, Http, Envoy, hashKey };

        // Without an action of its own, a root command with a subcommand would demand one; running the gateway is the default.
        root.SetAction(static _ => 0);
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            error.WriteLine($"mesh-gateway: {result.Errors[0].Message} (see --help)");
            return (null, 2);
        }

        if (result.Action is not null && result.Action != root.Action)
        {
            // --help or --version.
            return (null, result.Invoke(new InvocationConfiguration { Output = output, Error = error }));
        }

        // A relative --config is the caller's: dotnet run starts the app in the directory the command was typed in
        // (RunWorkingDirectory in the csproj); the full path is kept so a reload reads the same file.
        var config = result.GetValue(Config);
        if (config is not null && !File.Exists(config))
        {
            error.WriteLine($"mesh-gateway: --config: file '{config}' does not exist");
            return (null, 2);
        }

        return (new SidecarStartOptions
        {
            ConfigPath = config,
            GrpcAddress = result.GetValue(Grpc),
            AdminAddress = result.GetValue(Admin),
            HttpAddress = result.GetValue(Http),
            EnvoyAddress = result.GetValue(Envoy),
        }, 0);
    }

    /// <summary>The key is read from standard input (never from the command line, where the shell history and <c>ps</c> would keep it).</summary>
    private static int HashKey(TextReader input, TextWriter output, TextWriter error, bool prompt)
    {
        if (prompt)
        {
            error.Write("gateway key (paste it and press Enter): ");
        }

        var key = prompt ? input.ReadLine() : input.ReadToEnd();
        key = key?.TrimEnd('\r', '\n');
        if (string.IsNullOrEmpty(key))
        {
            error.WriteLine("mesh-gateway: hash-key: no key on standard input (for example: printf %s \"$KEY\" | mesh-gateway hash-key)");
            return 2;
        }

        output.WriteLine(Mesh.Gateway.Tenancy.Authentication.ApiKeyHash.Format(key));
        return 0;
    }
}
