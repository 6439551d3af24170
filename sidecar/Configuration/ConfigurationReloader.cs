using System.Diagnostics.Metrics;
using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Telemetry;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>
/// Reloads the whole configuration file, on change (the file is polled) and on <c>POST /admin/reload</c>: the new file must
/// pass the same check as a start (unknown keys, every feature's binding and validators); then it becomes the next
/// <see cref="ConfigurationVersion"/> in one swap, and each feature that applies changes live rebuilds from it. A file that
/// fails keeps the running version in force and every error is logged; both versions show in <see cref="Status"/>.
/// </summary>
/// <remarks>Limiter windows, spend and calls in flight live in their own stores and are not touched. Listen addresses cannot
/// change live; a change to them (or to a section no feature applies live) is applied to nothing and named in
/// <see cref="ConfigurationStatus.RestartRequired"/> and the log.</remarks>
internal sealed class ConfigurationReloader
{
    private static readonly Counter<long> Reloads = GatewayTelemetry.Meter.CreateCounter<long>(
        GenAiMetricNames.ConfigurationReloads, "{reload}", "Configuration reloads by outcome (applied, rejected)");

    private static volatile ConfigurationReloader? s_latest;

    // Why a section is not applied live (shown next to its name in restart_required).
    private static readonly Dictionary<string, string> RestartReasons = new(StringComparer.OrdinalIgnoreCase)
    {
        ["providers"] = "connections and credentials are built at start",
        ["store"] = "the counter store holds the windows and spend",
        ["ledger"] = "its sinks hold files and connections",
        ["envoy"] = "the Envoy door's options are read at start",
        ["shutdown"] = "read at start",
        ["grpc"] = "Kestrel's HTTP/2 limits are set at start",
        ["logging"] = "the log level and format are set at start",
        ["prompts"] = "templates and decorators are compiled at start",
        ["http"] = "the HTTP door's options are read at start",
        ["cache"] = "the cache's store and encoder are built at start",
        ["admin"] = "the admin API's options are read at start",
        ["capture"] = "capture's options and store are read at start",
        ["sentence_encoder"] = "the model is loaded once, with the precision read at start",
    };

    // Keys of a live section that its feature still reads only at start (named in restart_required when they change).
    // admin.recent_calls is applied live (RecentCallsReload); telemetry's endpoint and protocol are (TelemetryExports).
    private static readonly Dictionary<string, string> StartOnlyKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["telemetry:service_name"] = "service.name is a resource attribute fixed when the telemetry providers are built",
        ["telemetry:metrics_interval_ms"] = "the metric reader's period is set at start",
    };

    private readonly Lock _gate = new();
    private readonly SidecarStartOptions _options;
    private readonly IConfigurationRoot _configuration;
    private readonly YamlFileConfigurationProvider? _file;
    private readonly HostSettings _running;
    private readonly ConfigurationVersions _versions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile ConfigurationStatus _status;
    private ReloadOutcome? _lastOutcome;

    static ConfigurationReloader()
    {
        // One gauge per process, on the sidecar that started last (a process runs one sidecar; tests may run several).
        GatewayTelemetry.Meter.CreateObservableGauge<long>(
            GenAiMetricNames.ConfigurationVersion,
            static () => s_latest is { } latest ? [new Measurement<long>(latest.Status.Version)] : Array.Empty<Measurement<long>>(),
            "{version}",
            "The configuration version in force (1 at start, one more per applied reload)");
    }

    public ConfigurationReloader(
        SidecarStartOptions options, IConfigurationRoot configuration, HostSettings running, ConfigurationVersions versions, TimeProvider time, ILogger logger)
    {
        _options = options;
        _configuration = configuration;
        _running = running;
        _versions = versions;
        _time = time;
        _logger = logger;
        _file = configuration.Providers.OfType<YamlFileConfigurationProvider>().FirstOrDefault();
        var hash = configuration.Providers.OfType<IYamlConfigurationProvider>().FirstOrDefault()?.Document?.Sha256 ?? string.Empty;
        versions.SetStartHash(hash);
        _status = new ConfigurationStatus { Version = 1, Sha256 = hash, AppliedAt = time.GetUtcNow() };
        if (_file is not null)
        {
            _file.FileSource.AcceptReload = Accept;
            _file.FileSource.OnReloadError = Refused;
        }

        s_latest = this;
    }

    /// <summary>The version in force and the last refused file.</summary>
    public ConfigurationStatus Status => _status;

    /// <summary>Reads the file now (the admin call); the outcome says whether a new version was applied, and why not.</summary>
    public ReloadOutcome Reload()
    {
        if (_file is null)
        {
            return new ReloadOutcome(ReloadResult.NotFromAFile, _status, []);
        }

        lock (_gate)
        {
            _lastOutcome = null;
            try
            {
                _configuration.Reload();
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ConfigurationFileException)
            {
                var message = ex is InvalidDataException { InnerException: ConfigurationFileException inner } ? inner.Message : ex.Message;
                Refused(new ConfigurationFileException(message, ex));
            }

            return _lastOutcome ?? new ReloadOutcome(ReloadResult.Unchanged, _status, []);
        }
    }

    // Called by the file provider, under its reload, for a changed file that parsed.
    private bool Accept(YamlConfigurationDocument current, YamlConfigurationDocument candidate)
    {
        lock (_gate)
        {
            var status = _status;
            if (candidate.Sha256 == status.Sha256)
            {
                _lastOutcome = new ReloadOutcome(ReloadResult.Unchanged, status, []);
                return true;
            }

            if (status.Rejected is { } rejected && rejected.Sha256 == candidate.Sha256)
            {
                _lastOutcome = new ReloadOutcome(ReloadResult.Rejected, status, rejected.Errors);
                return false;
            }

            var source = _file?.SourceName ?? "configuration";
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(candidate.Data).Build();
            var (errors, settings, options) = ConfigurationCheck.RunAndBind(configuration, [(source, candidate.Root)], _options);
            if (errors.Count > 0 || options is null || settings is null)
            {
                Reject(candidate.Sha256, errors.Count > 0 ? errors : ["the configuration could not be bound"]);
                return false;
            }

            var next = new ConfigurationVersion(status.Version + 1, candidate.Sha256, _time.GetUtcNow(), options);
            var changed = ChangedSections(current, candidate);
            var live = _versions.LiveFeatures;
            var restart = ListenChanges(settings)
                .Concat(changed.Where(s => !live.Contains(s, StringComparer.OrdinalIgnoreCase) && !s.Equals("listen", StringComparison.OrdinalIgnoreCase))
                    .Select(static s => RestartReasons.TryGetValue(s, out var why) ? $"{s} ({why})" : s))
                .ToList();
            if (changed.Contains("listen", StringComparer.OrdinalIgnoreCase) && !restart.Any(static r => r.StartsWith("listen", StringComparison.Ordinal)))
            {
                restart.Add("listen");
            }

            restart.AddRange(StartOnlyKeys
                .Where(k => live.Contains(k.Key.Split(':')[0], StringComparer.OrdinalIgnoreCase) && ValueOf(current, k.Key) != ValueOf(candidate, k.Key))
                .Select(static k => $"{k.Key.Replace(':', '.')} ({k.Value})"));

            var previous = _versions.Current.Options;
            var failures = _versions.Apply(next);
            foreach (var (feature, error) in failures)
            {
                Log.ConfigurationFeatureFailed(_logger, next.Number, feature, error.Message);
                restart.Add($"{feature} (could not apply: {error.Message})");
            }

            if (previous is ServiceProvider { } old && !ReferenceEquals(previous, next.Options))
            {
                old.Dispose();
            }

            _status = new ConfigurationStatus { Version = next.Number, Sha256 = next.Hash, AppliedAt = next.AppliedAt, RestartRequired = restart };
            var appliedLive = changed.Where(s => live.Contains(s, StringComparer.OrdinalIgnoreCase) && !failures.Any(f => f.Feature == s)).ToList();
            var (hashText, changedText, liveText, restartText) = (Short(next.Hash), Join(changed), Join(appliedLive), Join(restart));
            Log.ConfigurationApplied(_logger, next.Number, hashText, changedText, liveText, restartText);
            Reloads.Add(1, new KeyValuePair<string, object?>("outcome", "applied"));
            _lastOutcome = new ReloadOutcome(ReloadResult.Applied, _status, []);
            return true;
        }
    }

    // A file that does not parse (bad YAML, an unset environment variable).
    private void Refused(ConfigurationFileException error)
    {
        lock (_gate)
        {
            Reject(string.Empty, [error.Message]);
        }
    }

    // An empty hash: the file did not parse.
    private void Reject(string hash, IReadOnlyList<string> errors)
    {
        var status = _status;
        _status = status with { Rejected = new RejectedConfiguration(hash, _time.GetUtcNow(), errors) };
        var (hashText, appliedText) = (hash.Length == 0 ? "unparsed" : Short(hash), Short(status.Sha256));
        Log.ConfigurationRejected(_logger, hashText, errors.Count, status.Version, appliedText);
        foreach (var error in errors)
        {
            Log.ConfigurationError(_logger, error);
        }

        Reloads.Add(1, new KeyValuePair<string, object?>("outcome", "rejected"));
        _lastOutcome = new ReloadOutcome(ReloadResult.Rejected, _status, errors);
    }

    private IEnumerable<string> ListenChanges(HostSettings next)
    {
        // Command-line addresses win over the file's in both, so only a file change that takes effect is named.
        foreach (var (key, running, wanted) in new[]
        {
            ("listen.grpc", _running.Grpc.ToString(), next.Grpc.ToString()),
            ("listen.admin", _running.Admin.ToString(), next.Admin.ToString()),
            ("listen.envoy", _running.Envoy?.ToString() ?? "off", next.Envoy?.ToString() ?? "off"),
            ("listen.tls", _running.Tls is null ? "off" : "on", next.Tls is null ? "off" : "on"),
        })
        {
            if (running != wanted)
            {
                yield return $"{key} ({running} -> {wanted}; still listening on {running})";
            }
        }
    }

    private static List<string> ChangedSections(YamlConfigurationDocument current, YamlConfigurationDocument candidate)
    {
        static Dictionary<string, string> BySection(YamlConfigurationDocument document) =>
            document.Data
                .GroupBy(static kv => kv.Key.Split(':')[0], StringComparer.OrdinalIgnoreCase)
                .ToDictionary(
                    static g => g.Key.ToLowerInvariant(),
                    static g => string.Join('\n', g.OrderBy(static kv => kv.Key, StringComparer.OrdinalIgnoreCase).Select(static kv => kv.Key + "=" + kv.Value)),
                    StringComparer.OrdinalIgnoreCase);

        var before = BySection(current);
        var after = BySection(candidate);
        return [.. before.Keys.Union(after.Keys, StringComparer.OrdinalIgnoreCase)
            .Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || a != b)
            .Order(StringComparer.Ordinal)];
    }

    private static string? ValueOf(YamlConfigurationDocument document, string key) =>
        document.Data.FirstOrDefault(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    private static string Short(string hash) => hash.Length >= 16 ? "sha256:" + hash[..16] : hash.Length == 0 ? "none" : hash;

    private static string Join(List<string> items) => items.Count == 0 ? "none" : string.Join(", ", items);
}
