namespace Mesh.Gateway.Core.Routing.Health;

/// <summary>Where a target stands with outlier ejection.</summary>
public enum TargetState
{
    /// <summary>In the pick.</summary>
    Healthy,

    /// <summary>Out of the pick until its ejection ends.</summary>
    Ejected,

    /// <summary>Its ejection ended: one probe call at a time decides whether it is healthy again or ejected for longer.</summary>
    Probing,
}
