using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Providers.Registry;

/// <summary>
/// The providers in force: a <see cref="ProviderRegistry"/> built from each configuration version's <c>providers:</c> and
/// swapped whole, so a new <c>base_url</c>, key or provider takes effect from the next call (the router looks a provider up
/// per call) while a call already running keeps the provider it started with.
/// </summary>
/// <remarks>
/// The previous registry's connections are disposed <see cref="RetireAfter"/> later, not at once, so a long stream started
/// before the reload is not cut. Subscribed under <c>providers</c> when it is created, which is before the routing table's
/// reloader subscribes (that reloader takes this registry), so a route to a provider added in the same file finds it.
/// </remarks>
internal sealed class ReloadingProviderRegistry : IProviderRegistry, IDisposable
{
    /// <summary>How long the previous version's providers stay open for calls that started on them.</summary>
    public static readonly TimeSpan RetireAfter = TimeSpan.FromMinutes(15);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IDisposable? _subscription;
    private readonly List<(ProviderRegistry Registry, ITimer Timer)> _retiring = [];
    private volatile ProviderRegistry _current;
    private bool _disposed;

    public ReloadingProviderRegistry(ProvidersOptions options, TimeProvider time, ILoggerFactory? loggerFactory, ConfigurationVersions? versions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Mesh.Gateway.Providers");
        _current = Build(options);
        _subscription = versions?.Subscribe(ProvidersOptions.SectionName, Apply);
    }

    public IReadOnlyCollection<string> Names => _current.Names;

    public bool TryGetChat(string name, [NotNullWhen(true)] out IChatProvider? provider) => _current.TryGetChat(name, out provider);

    public bool TryGetEmbedding(string name, [NotNullWhen(true)] out IEmbeddingProvider? provider) => _current.TryGetEmbedding(name, out provider);

    /// <summary>Builds the providers of <paramref name="version"/> (already validated with the whole file) and makes them current.</summary>
    internal void Apply(ConfigurationVersion version)
    {
        var next = Build(version.Get<ProvidersOptions>());
        lock (_gate)
        {
            if (_disposed)
            {
                next.Dispose();
                return;
            }

            var previous = _current;
            _current = next;
            ITimer? timer = null;
            timer = _time.CreateTimer(_ => Retire(previous, timer), null, RetireAfter, Timeout.InfiniteTimeSpan);
            _retiring.Add((previous, timer));
        }

        Log.ProvidersReloaded(_logger, version.Number, next.Names.Count, (int)RetireAfter.TotalMinutes);
    }

    private void Retire(ProviderRegistry registry, ITimer? timer)
    {
        lock (_gate)
        {
            _retiring.RemoveAll(r => ReferenceEquals(r.Registry, registry));
        }

        timer?.Dispose();
        registry.Dispose();
    }

    private ProviderRegistry Build(ProvidersOptions options)
    {
        var effective = options.Providers.Count == 0 ? MeshProviders.Default : options;
        return new ProviderRegistry([.. effective.Providers.Select(p => ProviderFactory.Create(p, _time, _loggerFactory))]);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        List<(ProviderRegistry Registry, ITimer Timer)> retiring;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            retiring = [.. _retiring];
            _retiring.Clear();
        }

        foreach (var (registry, timer) in retiring)
        {
            timer.Dispose();
            registry.Dispose();
        }

        _current.Dispose();
    }
}
