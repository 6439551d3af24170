using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails;

/// <summary>
/// One immutable guardrail policy: which detectors run, their thresholds and actions.
/// Bound from the YAML <c>guardrails:</c> section (the default policy) or <c>guardrails.policies.NAME</c>.
/// </summary>
/// <remarks>Immutable and thread-safe; the engine caches a compiled form per instance.</remarks>
public sealed record GuardPolicy
{
    /// <summary>The policy that runs every detector with its default threshold and action.</summary>
    public static GuardPolicy Default { get; } = new();

    /// <summary>The policy's name (<c>default</c> for the top-level one).</summary>
    public string Name { get; init; } = "default";

    /// <summary>PII and secret detection.</summary>
    public PiiPolicy Pii { get; init; } = new();

    /// <summary>Prompt-injection detection.</summary>
    public InjectionPolicy Injection { get; init; } = new();

    /// <summary>Content moderation.</summary>
    public ModerationPolicy Moderation { get; init; } = new();

    /// <summary>Learned detectors beside the rules (off by default).</summary>
    public LearnedPolicy Learned { get; init; } = new();

    /// <summary>How streamed text is held back.</summary>
    public StreamPolicy Stream { get; init; } = new();

    /// <summary>Tool definitions, tool-call arguments and tool results.</summary>
    public ToolsPolicy Tools { get; init; } = new();

    /// <summary>Pluggable checks beside the local detectors (<c>checks.NAME</c>): remote services or a model route as judge.</summary>
    public IReadOnlyList<Checks.GuardCheckOptions> Checks { get; init; } = [];

    /// <summary>The HMAC key for <see cref="GuardAction.Hash"/> (per tenant: a tenant's own policy or its <c>hash_key</c>). Null uses a process-random key.</summary>
    public string? HashKey { get; init; }

    private CompiledPolicy? _compiled;

    /// <summary>An empty policy with every default.</summary>
    public GuardPolicy()
    {
    }

    // 'with' must not carry over the compiled form of the original.
    private GuardPolicy(GuardPolicy original)
    {
        Name = original.Name;
        Pii = original.Pii;
        Injection = original.Injection;
        Moderation = original.Moderation;
        Learned = original.Learned;
        Stream = original.Stream;
        Tools = original.Tools;
        Checks = original.Checks;
        HashKey = original.HashKey;
    }

    /// <summary>True when some finding is tokenized: a call needs one <see cref="GuardTokenVault"/> from request to response.</summary>
    public bool UsesTokenVault => Compiled.NeedsVault;

    /// <summary>True when some detector reads the model's output (or placeholders must be restored in it); when false a response passes untouched and unheld.</summary>
    public bool InspectsOutput =>
        Compiled.Kinds != Mesh.Gateway.Guardrails.Pii.PiiKinds.None || Compiled.RunsModeration(GuardDirection.Output) || Compiled.RunsInjection(GuardDirection.Output) || Compiled.NeedsVault;

    internal CompiledPolicy Compiled => _compiled ??= CompiledPolicy.Create(this);
}
