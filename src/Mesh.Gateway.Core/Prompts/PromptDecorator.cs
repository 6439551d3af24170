using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>A compiled decorator.</summary>
internal sealed record PromptDecorator(IReadOnlyList<string> Tenants, IReadOnlyList<string> Models, bool Append, ChatMessage Message)
{
    public bool Matches(string? tenantId, string model)
    {
        if (Tenants.Count > 0 && (tenantId is null || !Tenants.Contains(tenantId, StringComparer.Ordinal)))
        {
            return false;
        }

        return Models.Count == 0 || Models.Any(p => PromptNames.Matches(p, model));
    }
}
