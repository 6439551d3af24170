namespace Mesh.Gateway.Guardrails;

/// <summary>PII and secret detection settings (<c>guardrails.pii</c>).</summary>
public sealed record PiiPolicy
{
    /// <summary>Whether PII detection runs (<c>enabled</c>, default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The default action (<c>action</c>, default <see cref="GuardAction.Redact"/>).</summary>
    public GuardAction Action { get; init; } = GuardAction.Redact;

    /// <summary>Entity types to detect (<c>entities</c>); empty means all of <see cref="PiiEntityTypes.All"/>. <c>secrets</c> names every secret type.</summary>
    public IReadOnlyList<string> Entities { get; init; } = [];

    /// <summary>Findings scoring below this are dropped (<c>threshold</c>, default 0.5).</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Per-entity overrides of action and threshold (<c>overrides.email.action</c>, ...).</summary>
    public IReadOnlyDictionary<string, PiiEntityPolicy> Overrides { get; init; } = new Dictionary<string, PiiEntityPolicy>();
}
