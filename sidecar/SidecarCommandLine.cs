using System.CommandLine;

namespace Mesh.Gateway.Sidecar;

/// <summary>The sidecar's command line: <c>--config PATH</c>, <c>--grpc ADDRESS</c>, <c>--admin ADDRESS</c>, <c>--http ADDRESS</c>.</summary>
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

    /// <summary>Parses <paramref name="args"/>: start options, or an exit code when the command line was help or an error.</summary>
    public static (SidecarStartOptions? Options, int ExitCode) Parse(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Mesh.Gateway: the AI gateway sidecar") { Config, Grpc, Admin, Http };
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
        }, 0);
    }
}
