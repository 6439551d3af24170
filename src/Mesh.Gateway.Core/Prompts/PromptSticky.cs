namespace Mesh.Gateway.Core.Prompts;

/// <summary>How an A/B label picks a version for a call.</summary>
public enum PromptSticky
{
    /// <summary>By a hash of the caller's key id (else its tenant, else at random): one key always gets the same version.</summary>
    Key,

    /// <summary>By a hash of the tenant id (else at random).</summary>
    Tenant,

    /// <summary>Independently for every call.</summary>
    Random,
}
