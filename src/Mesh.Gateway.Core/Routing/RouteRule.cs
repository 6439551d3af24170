namespace Mesh.Gateway.Core.Routing;

/// <summary>A match rule, resolved: its name, its conditions and its targets (immutable).</summary>
public sealed record RouteRule(string Name, RouteMatchOptions Match, IReadOnlyList<RouteTarget> Targets)
{
    /// <summary>Whether <paramref name="request"/> meets every condition; <paramref name="promptTokens"/> is only called when a token bound is set.</summary>
    public bool Matches(RouteRequest request, Func<int> promptTokens)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(promptTokens);
        var m = Match;
        if (m.Tenants.Count > 0 && (request.TenantId is null || !m.Tenants.Contains(request.TenantId)))
        {
            return false;
        }

        if (m.Tiers.Count > 0 && (!request.TenantLabels.TryGetValue("tier", out var tier) || !m.Tiers.Contains(tier)))
        {
            return false;
        }

        foreach (var (label, value) in m.Labels)
        {
            if (!request.TenantLabels.TryGetValue(label, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        if (m.Regions.Count > 0 && (request.Region is not { } region || !m.Regions.Contains(region)))
        {
            return false;
        }

        if (m.Tasks.Count > 0 && (request.Task is not { } task || !m.Tasks.Contains(task)))
        {
            return false;
        }

        if (m.Tools is { } tools && tools != request.HasTools)
        {
            return false;
        }

        if (m.Images is { } images && images != request.HasImages)
        {
            return false;
        }

        if (m.MinPromptTokens is not null || m.MaxPromptTokens is not null)
        {
            var tokens = promptTokens();
            if (tokens < m.MinPromptTokens || tokens > m.MaxPromptTokens)
            {
                return false;
            }
        }

        return true;
    }
}
