using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>The <c>ledger:</c> section.</summary>
public sealed record LedgerOptions
{
    /// <summary>The JSONL file; rotated to <c>path.1</c>, <c>path.2</c>, ... when it reaches <see cref="MaxFileMb"/>. Empty disables the file.
    /// Default <see cref="DefaultPath"/>: the user's state directory, never the directory the sidecar was started in.</summary>
    public string Path { get; set; } = DefaultPath;

    /// <summary><c>$XDG_STATE_HOME/mesh-gateway/ledger.jsonl</c>, else <c>~/.local/state/mesh-gateway/ledger.jsonl</c>, else the
    /// temporary directory's <c>mesh-gateway/ledger.jsonl</c>. A relative default wrote <c>usage/</c> into whatever directory the
    /// sidecar ran in, the source tree under <c>dotnet run</c>; deployments set <c>ledger.path</c> to their volume.</summary>
    public static string DefaultPath { get; } = System.IO.Path.Combine(StateDirectory(), "mesh-gateway", "ledger.jsonl");

    private static string StateDirectory()
    {
        if (Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } state && System.IO.Path.IsPathRooted(state))
        {
            return state;
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length > 0 && home != "/" ? System.IO.Path.Combine(home, ".local", "state") : System.IO.Path.GetTempPath();
    }

    [ConfigurationKeyName("max_file_mb")]
    public int MaxFileMb { get; set; } = 64;

    /// <summary>Rotated files kept besides the current one.</summary>
    [ConfigurationKeyName("max_files")]
    public int MaxFiles { get; set; } = 10;

    /// <summary>Records queued before writers wait.</summary>
    public int Capacity { get; set; } = 10_000;

    /// <summary>A Redis stream to XADD each record to (needs <c>store.redis</c>); null for none.</summary>
    [ConfigurationKeyName("redis_stream")]
    public string? RedisStream { get; set; }

    /// <summary>Approximate length the Redis stream is trimmed to.</summary>
    [ConfigurationKeyName("redis_stream_max_length")]
    public long RedisStreamMaxLength { get; set; } = 1_000_000;

    /// <summary>An OTLP endpoint to export each record to as a log record (OTLP/HTTP: the collector's base URL, e.g.
    /// <c>http://collector:4318</c>, records go to <c>/v1/logs</c>; OTLP/gRPC: <c>http://collector:4317</c>); null for none.</summary>
    [ConfigurationKeyName("otlp_endpoint")]
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>http/protobuf</c> (the default) or <c>grpc</c>.</summary>
    [ConfigurationKeyName("otlp_protocol")]
    public string OtlpProtocol { get; set; } = "http/protobuf";

    /// <summary>A PostgreSQL connection string (Npgsql form: <c>Host=db;Username=mesh;Password=...;Database=mesh</c>) to insert each
    /// record into <see cref="PostgresTable"/> (created when missing); null for none.</summary>
    public string? Postgres { get; set; }

    /// <summary>The PostgreSQL table, optionally schema-qualified.</summary>
    [ConfigurationKeyName("postgres_table")]
    public string PostgresTable { get; set; } = "mesh_usage";
}
