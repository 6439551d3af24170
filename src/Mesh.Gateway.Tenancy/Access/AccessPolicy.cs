using Mesh.Gateway.Tenancy.Authentication;

namespace Mesh.Gateway.Tenancy.Access;

/// <summary>Per-tenant model and operation rules.</summary>
/// <remarks>Stateless and thread-safe. Models: exact name, a prefix pattern ending in <c>*</c>, or <c>*</c>; a tenant
/// without models may use none (deny by default). Operations: an empty list allows all.</remarks>
public static class AccessPolicy
{
    /// <summary>Decides whether <paramref name="tenant"/> may call <paramref name="operation"/> on <paramref name="model"/>.</summary>
    /// <param name="tenant">The authenticated tenant.</param>
    /// <param name="operation">chat, responses or embeddings.</param>
    /// <param name="model">The requested model; null when the request does not name one yet (checked again once the body is read).</param>
    public static AccessDecision Authorize(TenantOptions tenant, string operation, string? model)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (tenant.Operations.Count > 0 && !tenant.Operations.Contains(operation, StringComparer.Ordinal))
        {
            return new AccessDecision(AccessDenial.OperationNotAllowed, $"Tenant '{tenant.Id}' may not use the {operation} API.");
        }

        if (model is null)
        {
            return tenant.Models.Count > 0
                ? AccessDecision.Allow
                : new AccessDecision(AccessDenial.ModelNotAllowed, $"Tenant '{tenant.Id}' may not use any model.");
        }

        return IsModelAllowed(tenant, model)
            ? AccessDecision.Allow
            : new AccessDecision(AccessDenial.ModelNotAllowed, $"Tenant '{tenant.Id}' may not use the model '{model}'.");
    }

    /// <summary>Decides whether <paramref name="tenant"/> may run the published prompt <paramref name="prompt"/> (a chat call).</summary>
    /// <remarks>The prompt's publisher chose its model, so a prompt call is checked against <see cref="TenantOptions.Prompts"/>
    /// instead of the tenant's models: publishing a prompt is publishing an API.</remarks>
    public static AccessDecision AuthorizePrompt(TenantOptions tenant, string prompt)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(prompt);
        if (tenant.Operations.Count > 0 && !tenant.Operations.Contains("chat", StringComparer.Ordinal))
        {
            return new AccessDecision(AccessDenial.OperationNotAllowed, $"Tenant '{tenant.Id}' may not use the chat API.");
        }

        return tenant.Prompts.Any(p => Core.Prompts.PromptNames.Matches(p, prompt))
            ? AccessDecision.Allow
            : new AccessDecision(AccessDenial.PromptNotAllowed, $"Tenant '{tenant.Id}' may not run the prompt '{prompt}'.");
    }

    /// <summary>True when one of the tenant's model patterns matches.</summary>
    public static bool IsModelAllowed(TenantOptions tenant, string model)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(model);
        foreach (var pattern in tenant.Models)
        {
            if (pattern == "*" || string.Equals(pattern, model, StringComparison.Ordinal))
            {
                return true;
            }

            if (pattern.EndsWith('*') && model.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
