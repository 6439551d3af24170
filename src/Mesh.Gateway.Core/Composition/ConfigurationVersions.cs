namespace Mesh.Gateway.Core.Composition;

/// <summary>
/// The configuration in force, swapped whole when a changed file has passed every check (unknown keys, every feature's
/// binding and validators). A feature that can apply a change live subscribes and rebuilds its immutable state from
/// <see cref="ConfigurationVersion.Get{TOptions}"/>, instead of watching the file itself.
/// </summary>
/// <remarks>Thread-safe. Listeners run one after another on the thread that applies the version; one that throws does not stop
/// the others, and its failure is returned to the host (which logs it naming the feature).</remarks>
public sealed class ConfigurationVersions
{
    private readonly Lock _gate = new();
    private readonly List<(string Feature, Action<ConfigurationVersion> Apply)> _listeners = [];
    private volatile ConfigurationVersion _current;

    /// <summary>Starts at version 1, whose options resolve from <paramref name="services"/> (the host's own).</summary>
    public ConfigurationVersions(IServiceProvider services, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(time);
        _current = new ConfigurationVersion(1, string.Empty, time.GetUtcNow(), services);
    }

    /// <summary>The version in force.</summary>
    public ConfigurationVersion Current => _current;

    /// <summary>The features that apply a new version live (the names they subscribed with).</summary>
    public IReadOnlyList<string> LiveFeatures
    {
        get
        {
            lock (_gate)
            {
                return [.. _listeners.Select(static l => l.Feature).Distinct(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Calls <paramref name="apply"/> with every later version; <paramref name="feature"/> names it in logs (a section name).</summary>
    public IDisposable Subscribe(string feature, Action<ConfigurationVersion> apply)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(feature);
        ArgumentNullException.ThrowIfNull(apply);
        var entry = (feature, apply);
        lock (_gate)
        {
            _listeners.Add(entry);
        }

        return new Subscription(this, entry);
    }

    /// <summary>Sets the hash of version 1 (known to the host once it has read the file).</summary>
    public void SetStartHash(string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        var current = _current;
        if (current.Number == 1)
        {
            _current = current with { Hash = hash };
        }
    }

    /// <summary>Makes <paramref name="next"/> current and tells every listener; returns the features whose listener failed, with why.</summary>
    public IReadOnlyList<(string Feature, Exception Error)> Apply(ConfigurationVersion next)
    {
        ArgumentNullException.ThrowIfNull(next);
        List<(string Feature, Action<ConfigurationVersion> Apply)> listeners;
        lock (_gate)
        {
            _current = next;
            listeners = [.. _listeners];
        }

        var failures = new List<(string, Exception)>();
        foreach (var (feature, apply) in listeners)
        {
            try
            {
                apply(next);
            }
#pragma warning disable CA1031 // One feature's failure must not keep the others on the old version; the host logs it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures.Add((feature, ex));
            }
        }

        return failures;
    }

    private sealed class Subscription(ConfigurationVersions owner, (string, Action<ConfigurationVersion>) entry) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._listeners.Remove(entry);
            }
        }
    }
}
