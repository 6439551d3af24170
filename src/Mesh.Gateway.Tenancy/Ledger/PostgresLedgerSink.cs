using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>Inserts each batch into a PostgreSQL table with one binary COPY; creates the table when it is missing.</summary>
/// <remarks>A batch is one COPY, so it lands whole or not at all (a failure leaves it to the ledger's retry).</remarks>
internal sealed partial class PostgresLedgerSink(string connectionString, string table) : ILedgerSink, IAsyncDisposable
{
    private const string Columns = "ts, request_id, tenant_id, key_id, model, provider, operation, input_tokens, cached_input_tokens, "
        + "cache_write_input_tokens, output_tokens, reasoning_tokens, provider_reported, cost_usd, latency_ms, status, http_status, door, guardrail_actions, unreported_reason, tokens_estimated, prompt_name, prompt_version";

    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);
    private int _created;

    public string Name => "postgres";

    /// <summary>The table's definition (what <see cref="WriteAsync"/> creates when missing).</summary>
    public static string CreateTableSql(string table) => $"""
        CREATE TABLE IF NOT EXISTS {table} (
            ts timestamptz NOT NULL,
            request_id text NOT NULL,
            tenant_id text NOT NULL,
            key_id text,
            model text NOT NULL,
            provider text,
            operation text,
            input_tokens bigint NOT NULL,
            cached_input_tokens bigint NOT NULL,
            cache_write_input_tokens bigint NOT NULL,
            output_tokens bigint NOT NULL,
            reasoning_tokens bigint NOT NULL,
            provider_reported boolean NOT NULL,
            cost_usd numeric(20, 9) NOT NULL,
            latency_ms double precision NOT NULL,
            status text NOT NULL,
            http_status integer NOT NULL,
            door text,
            guardrail_actions text[] NOT NULL,
            unreported_reason text,
            tokens_estimated boolean NOT NULL DEFAULT false,
            prompt_name text,
            prompt_version text
        )
        """;

    /// <summary>Brings a table created by an earlier version up to <see cref="CreateTableSql"/> (columns added since).</summary>
    public static string UpgradeTableSql(string table) =>
        $"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS unreported_reason text, ADD COLUMN IF NOT EXISTS tokens_estimated boolean NOT NULL DEFAULT false"
        + ", ADD COLUMN IF NOT EXISTS prompt_name text, ADD COLUMN IF NOT EXISTS prompt_version text";

    /// <summary>True for <c>name</c> or <c>schema.name</c> of letters, digits and underscores (the name is spliced into SQL).</summary>
    public static bool IsValidTableName(string? table) => table is not null && TableName().IsMatch(table);

    public async ValueTask WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!IsValidTableName(table))
        {
            throw new InvalidOperationException($"ledger.postgres_table: not a table name ('{table}')");
        }

        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _created) == 0)
        {
            await using var create = new NpgsqlCommand(CreateTableSql(table) + ";\n" + UpgradeTableSql(table), connection);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _created, 1);
        }

        await using var copy = await connection.BeginBinaryImportAsync($"COPY {table} ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (var r in batch)
        {
            await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.Timestamp.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.RequestId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.TenantId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(copy, r.KeyId, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.Model, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(copy, r.Provider, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(copy, r.Operation, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.InputTokens, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.CachedInputTokens, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.CacheWriteInputTokens, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.OutputTokens, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.ReasoningTokens, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.ProviderReported, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.CostUsd, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.LatencyMs, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.Status, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.HttpStatus, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(copy, r.Door, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.GuardrailActions.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(copy, r.UnreportedReason, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(r.TokensEstimated, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(copy, r.PromptName, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(copy, r.PromptVersion, cancellationToken).ConfigureAwait(false);
        }

        await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private static Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$")]
    private static partial Regex TableName();
}
