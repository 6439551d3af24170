namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Which of a call's limits one admission charges, so a door can charge them at different moments (Envoy: request
/// counts at ext_authz Check, tokens at the ext_proc request body) without counting anything twice.</summary>
[Flags]
public enum LimitCharges
{
    None = 0,

    /// <summary>Request counts (per second, per minute) of the tenant and key scopes.</summary>
    Requests = 1,

    /// <summary>Request counts of the model and key+model scopes (needs the model).</summary>
    ModelRequests = 2,

    /// <summary>Tokens per minute, concurrent streams and budgets, every scope.</summary>
    Usage = 4,

    All = Requests | ModelRequests | Usage,
}
