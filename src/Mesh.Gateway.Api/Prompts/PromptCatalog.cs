using Mesh.Gateway.Core.Prompts;
using Mesh.Gateway.Core.Stores;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Api.Prompts;

/// <summary>
/// The prompt templates in force: the YAML's (<c>prompts:</c>) plus those managed through the admin API, which live in an
/// <see cref="IPromptTemplateStore"/> (this process, or Redis shared by every sidecar). Each change on either side compiles
/// the two together into a new <see cref="PromptRegistry"/> and swaps it into the <see cref="PromptRegistryHolder"/> that
/// every door's prompt calls read.
/// </summary>
/// <remarks>
/// <para>The YAML decides: a name the YAML defines cannot be created, changed or deleted here (409), and a managed template
/// whose name a reloaded YAML later defines is shadowed (listed, not served). Access (<c>tenants[].prompts</c>) and a prompt's
/// own limits stay in the YAML.</para>
/// <para>A change is checked exactly as a reloaded file is (the registry's compilation: variables, defaults, labels, weights,
/// chains; and every version's model against <c>models:</c> and <c>providers:</c>) before it is written; an invalid one is
/// refused whole with every problem. Versions are append-only (a version's messages never change under a caller); labels move.</para>
/// <para>Thread-safe. The store is re-read when another sidecar announces a change and every <see cref="PollInterval"/>; while
/// it cannot be read the last synced templates stay in force. Two sidecars changing one template at the same moment: the
/// later write wins (revisions are not compared-and-set).</para>
/// </remarks>
public sealed class PromptCatalog : IHostedService, IAsyncDisposable
{
    /// <summary>How often the store is read even without a change notice.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly PromptRegistryHolder _holder;
    private readonly IPromptTemplateStore _store;
    private readonly Func<PromptsOptions, IReadOnlyList<string>> _modelErrors;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly StoreFollower _follower;
    private PromptsOptions _yaml;
    private Dictionary<string, ManagedPrompt> _managed = new(StringComparer.Ordinal);
    private Dictionary<string, string> _notServed = new(StringComparer.Ordinal);
    private bool _failing;
    private int _disposed;

    public PromptCatalog(
        PromptRegistryHolder holder,
        PromptsOptions yaml,
        IPromptTemplateStore store,
        Func<PromptsOptions, IReadOnlyList<string>> modelErrors,
        TimeProvider time,
        ILogger<PromptCatalog>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(modelErrors);
        ArgumentNullException.ThrowIfNull(time);
        _holder = holder;
        _yaml = yaml;
        _store = store;
        _modelErrors = modelErrors;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _follower = new StoreFollower(RefreshAsync, store.SubscribeAsync, ex => Log.SyncFailed(_logger, _managed.Count, ex), PollInterval, time);
    }

    /// <summary>A model check from the options validators (<see cref="PromptModelsValidator"/>): the errors, or none.</summary>
    internal static Func<PromptsOptions, IReadOnlyList<string>> ModelCheck(IValidateOptions<PromptsOptions> validator) =>
        options => validator.Validate(null, options) is { Failed: true } result ? [.. result.Failures ?? []] : [];

    /// <summary><c>process</c> or <c>redis</c>.</summary>
    public string StoreName => _store.Name;

    /// <summary>When the store was last read successfully; null before the first read.</summary>
    public DateTimeOffset? LastSynced { get; private set; }

    /// <summary>Every template: the YAML's in file order, then the managed ones by name.</summary>
    public IReadOnlyList<PromptListing> List()
    {
        lock (_gate)
        {
            var list = new List<PromptListing>(_yaml.Templates.Count + _managed.Count);
            list.AddRange(_yaml.Templates.Select(static t => new PromptListing(t, "config", "active", null, null, null)));
            foreach (var managed in _managed.Values.OrderBy(static m => m.Template.Name, StringComparer.Ordinal))
            {
                var name = managed.Template.Name;
                var status = IsYaml(name) ? "shadowed" : _notServed.ContainsKey(name) ? "invalid" : "active";
                list.Add(new PromptListing(managed.Template, "admin", status, managed.Revision, managed.UpdatedAt, _notServed.GetValueOrDefault(name)));
            }

            return list;
        }
    }

    /// <summary>The template of that name as the admin API shows it (the YAML's first), or null.</summary>
    public PromptListing? Get(string name) => List().FirstOrDefault(l => l.Template.Name == name && l.Status != "shadowed")
        ?? List().FirstOrDefault(l => l.Template.Name == name);

    /// <summary>Makes a reloaded <c>prompts:</c> the YAML half (already validated with the whole file).</summary>
    public void ApplyConfiguration(PromptsOptions yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        lock (_gate)
        {
            var registry = PromptRegistry.Create(yaml);
            _yaml = yaml;
            Rebuild(registry);
        }
    }

    /// <summary>Creates the managed template <paramref name="name"/>, or replaces it whole (its revision one higher).</summary>
    public ValueTask<PromptChange> PutAsync(string name, PromptTemplateOptions template, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (template.Name.Length > 0 && template.Name != name)
        {
            return ValueTask.FromResult(PromptChange.Fail(PromptChangeOutcome.Invalid, $"name: '{template.Name}' differs from the path's '{name}'"));
        }

        return ChangeAsync(name, "replaced", current => current is not null && ChangedVersion(current, template) is { } changed
            ? new Edit(null, PromptChange.Fail(PromptChangeOutcome.Conflict, $"versions: '{changed}' is missing or differs from the stored one; versions never change, add a new one"))
            : Edit.To(template with { Name = name }), cancellationToken);
    }

    /// <summary>Adds a version to a managed template; an id it has already is a conflict (versions never change).</summary>
    public ValueTask<PromptChange> AddVersionAsync(string name, PromptVersionOptions version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        return ChangeAsync(name, $"version {version.Version} added", current => current is null
            ? Edit.NotFound(name)
            : current.Versions.Any(v => v.Version == version.Version)
                ? new Edit(null, PromptChange.Fail(PromptChangeOutcome.Conflict, $"version: '{version.Version}' exists already; versions never change, add a new one"))
                : Edit.To(current with { Versions = [.. current.Versions, version] }), cancellationToken);
    }

    /// <summary>Points <paramref name="label"/> of a managed template at a version or a split (creating the label if new).</summary>
    public ValueTask<PromptChange> SetLabelAsync(string name, string label, PromptLabelOptions target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return ChangeAsync(name, $"label {label} moved", current => current is null
            ? Edit.NotFound(name)
            : Edit.To(current with { Labels = new Dictionary<string, PromptLabelOptions>(current.Labels, StringComparer.Ordinal) { [label] = target } }), cancellationToken);
    }

    /// <summary>Removes a managed template; refused while another template chains from it.</summary>
    public async ValueTask<PromptChange> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            ManagedPrompt? existing;
            List<string> dependents;
            lock (_gate)
            {
                if (IsYaml(name))
                {
                    return PromptChange.Fail(PromptChangeOutcome.Conflict, $"'{name}' is defined in the configuration file (prompts.templates); change it there");
                }

                existing = _managed.GetValueOrDefault(name);
                dependents = [.. Served().Where(t => t.Name != name && t.Variables.Any(v => v.From == name)).Select(static t => t.Name)];
            }

            if (existing is null)
            {
                return PromptChange.Fail(PromptChangeOutcome.NotFound, $"no managed prompt '{name}'");
            }

            if (dependents.Count > 0)
            {
                return PromptChange.Fail(PromptChangeOutcome.Conflict, $"'{string.Join("', '", dependents)}' chain from '{name}'; change them first");
            }

            await _store.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                var managed = new Dictionary<string, ManagedPrompt>(_managed, StringComparer.Ordinal);
                managed.Remove(name);
                _managed = managed;
                Rebuild(PromptRegistry.Create(_yaml));
            }

            Log.PromptChanged(_logger, name, "deleted", existing.Revision);
            return new PromptChange(PromptChangeOutcome.Deleted, [], existing);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Reads the store and serves what it holds; false (the last synced templates kept) when it cannot be read.</summary>
    public async ValueTask<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ManagedPrompt> stored;
        try
        {
            stored = await _store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the store throws, the last synced templates stay in force; the failure is logged once.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                if (!_failing)
                {
                    _failing = true;
                    Log.SyncFailed(_logger, _managed.Count, ex);
                }
            }

            return false;
        }

        lock (_gate)
        {
            var managed = stored.Where(static p => p.Template.Name.Length > 0).ToDictionary(static p => p.Template.Name, StringComparer.Ordinal);
            var same = managed.Count == _managed.Count && managed.All(p => _managed.TryGetValue(p.Key, out var known) && known.Revision == p.Value.Revision);
            if (!same)
            {
                _managed = managed;
                Rebuild(PromptRegistry.Create(_yaml));
            }

            LastSynced = _time.GetUtcNow();
            if (_failing)
            {
                _failing = false;
                Log.SyncRestored(_logger, _managed.Count);
            }
        }

        return true;
    }

    public Task StartAsync(CancellationToken cancellationToken) => _follower.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _follower.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _follower.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _changes.Dispose();
    }

    // One change at a time on this sidecar: read the store, apply the edit to the current template, check the result as a
    // reloaded file is checked, write it whole, serve it.
    private async ValueTask<PromptChange> ChangeAsync(string name, string change, Func<PromptTemplateOptions?, Edit> edit, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            ManagedPrompt? existing;
            PromptTemplateOptions? next;
            lock (_gate)
            {
                if (IsYaml(name))
                {
                    return PromptChange.Fail(PromptChangeOutcome.Conflict, $"'{name}' is defined in the configuration file (prompts.templates); change it there");
                }

                existing = _managed.GetValueOrDefault(name);
                var edited = edit(existing?.Template);
                if (edited.Failure is { } failure)
                {
                    return failure;
                }

                next = edited.Next!;

                var errors = Check(next);
                if (errors.Count > 0)
                {
                    return new PromptChange(PromptChangeOutcome.Invalid, errors, null);
                }
            }

            var saved = new ManagedPrompt { Template = next, Revision = (existing?.Revision ?? 0) + 1, UpdatedAt = _time.GetUtcNow() };
            await _store.SaveAsync(saved, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _managed = new Dictionary<string, ManagedPrompt>(_managed, StringComparer.Ordinal) { [name] = saved };
                Rebuild(PromptRegistry.Create(_yaml));
            }

            Log.PromptChanged(_logger, name, existing is null ? "created" : change, saved.Revision);
            return new PromptChange(existing is null ? PromptChangeOutcome.Created : PromptChangeOutcome.Updated, [], saved);
        }
        finally
        {
            _changes.Release();
        }
    }

    // Under _gate. The candidate compiled with everything served now, in its place; errors name its fields from its root.
    private List<string> Check(PromptTemplateOptions candidate)
    {
        var others = Served().Where(t => t.Name != candidate.Name).ToList();
        var index = others.Count;
        var all = new PromptsOptions { Templates = [.. others, candidate], Decorators = _yaml.Decorators };
        var prefix = $"prompts.templates[{index}].";
        var errors = new List<string>();
        if (PromptRegistry.TryCreate(all, out var compileErrors) is null)
        {
            errors.AddRange(compileErrors.Select(e => e.StartsWith(prefix, StringComparison.Ordinal) ? e[prefix.Length..] : e));
        }

        var modelPrefix = "prompts.templates[0].";
        errors.AddRange(_modelErrors(new PromptsOptions { Templates = [candidate] })
            .Select(e => e.StartsWith(modelPrefix, StringComparison.Ordinal) ? e[modelPrefix.Length..] : e));
        return errors;
    }

    // Under _gate: the templates the registry serves (the YAML's, then the managed ones that compile with them).
    private IEnumerable<PromptTemplateOptions> Served() =>
        _yaml.Templates.Concat(_managed.Values.Where(m => !IsYaml(m.Template.Name) && !_notServed.ContainsKey(m.Template.Name)).Select(static m => m.Template));

    private bool IsYaml(string name) => _yaml.Templates.Any(t => t.Name == name);

    // Under _gate. The YAML's templates (known to compile: yamlAlone) plus every managed one that compiles beside them; one
    // that does not (a chain whose source the YAML removed) is left out and listed as invalid, never taking the rest down.
    private void Rebuild(PromptRegistry yamlAlone)
    {
        var notServed = new Dictionary<string, string>(StringComparer.Ordinal);
        var candidates = _managed.Values.Where(m => !IsYaml(m.Template.Name)).Select(static m => m.Template).OrderBy(static t => t.Name, StringComparer.Ordinal).ToList();
        var registry = candidates.Count == 0 ? yamlAlone : TryCompile(candidates);
        if (registry is null)
        {
            var kept = new List<PromptTemplateOptions>();
            foreach (var candidate in candidates)
            {
                if (TryCompile([.. kept, candidate]) is not null)
                {
                    kept.Add(candidate);
                    continue;
                }

                PromptRegistry.TryCreate(new PromptsOptions { Templates = [.. _yaml.Templates, .. kept, candidate], Decorators = _yaml.Decorators }, out var errors);
                notServed[candidate.Name] = string.Join("; ", errors);
            }

            registry = TryCompile(kept) ?? yamlAlone;
        }

        foreach (var (name, problem) in notServed)
        {
            if (!_notServed.ContainsKey(name))
            {
                Log.PromptNotServed(_logger, name, problem);
            }
        }

        _notServed = notServed;
        _holder.Replace(registry);
    }

    private PromptRegistry? TryCompile(IEnumerable<PromptTemplateOptions> managed) =>
        PromptRegistry.TryCreate(new PromptsOptions { Templates = [.. _yaml.Templates, .. managed], Decorators = _yaml.Decorators }, out _);

    // The first version of current that next drops or changes (a version's model, messages and sampling are what it is).
    private static string? ChangedVersion(PromptTemplateOptions current, PromptTemplateOptions next)
    {
        foreach (var version in current.Versions)
        {
            var same = next.Versions.FirstOrDefault(v => v.Version == version.Version);
            if (same is null || same.Model != version.Model || same.MaxOutputTokens != version.MaxOutputTokens
                || same.Temperature != version.Temperature || !same.Messages.SequenceEqual(version.Messages))
            {
                return version.Version;
            }
        }

        return null;
    }

    // An edit's result: the template to write, or why not.
    private readonly record struct Edit(PromptTemplateOptions? Next, PromptChange? Failure)
    {
        public static Edit To(PromptTemplateOptions next) => new(next, null);

        public static Edit NotFound(string name) => new(null, PromptChange.Fail(PromptChangeOutcome.NotFound, $"no managed prompt '{name}'"));
    }
}
