namespace Mesh.Gateway.Sidecar;

/// <summary>How one sidecar is started: from the command line, or by a test.</summary>
internal sealed record SidecarStartOptions
{
    /// <summary>The YAML configuration file (<c>--config</c>), or null.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>YAML configuration text, used instead of a file (tests).</summary>
    public string? ConfigYaml { get; init; }

    /// <summary>The gRPC listener address from the command line (<c>--grpc</c>); wins over <c>listen.grpc</c>.</summary>
    public string? GrpcAddress { get; init; }

    /// <summary>The admin listener address from the command line (<c>--admin</c>); wins over <c>listen.admin</c>.</summary>
    public string? AdminAddress { get; init; }

    /// <summary>The Envoy listener address (<c>--envoy</c>); wins over <c>listen.envoy</c> when the Envoy door is on.</summary>
    public string? EnvoyAddress { get; init; }

    /// <summary>The HTTP door's address (<c>--http</c>); wins over <c>listen.http</c>, and opens the door without it.</summary>
    public string? HttpAddress { get; init; }

    /// <summary>Environment lookup for <c>${NAME}</c> references in the configuration.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Whether a changed configuration file is reloaded.</summary>
    public bool ReloadOnChange { get; init; } = true;
}
