using Mesh.Gateway.Core.Prompts;

namespace Mesh.Gateway.Api.Prompts;

/// <summary>What a change through the admin API came to.</summary>
public enum PromptChangeOutcome
{
    Created,
    Updated,
    Deleted,

    /// <summary>No managed template of that name (or no such version).</summary>
    NotFound,

    /// <summary>The name is the YAML's, the version exists already, or another template chains from it.</summary>
    Conflict,

    /// <summary>The template does not compile or names an unknown model; <see cref="PromptChange.Errors"/> says where.</summary>
    Invalid,
}

/// <summary>The outcome of a change, the errors (one per problem, each naming its field) and the template as it now is.</summary>
public sealed record PromptChange(PromptChangeOutcome Outcome, IReadOnlyList<string> Errors, ManagedPrompt? Prompt)
{
    internal static PromptChange Fail(PromptChangeOutcome outcome, params string[] errors) => new(outcome, errors, null);
}

/// <summary>One template of the registry as the admin API lists it.</summary>
/// <param name="Template">The template, in the YAML's shape.</param>
/// <param name="Source"><c>config</c> (the YAML) or <c>admin</c> (managed through the admin API).</param>
/// <param name="Status"><c>active</c>; <c>shadowed</c> (a managed template whose name the YAML now defines: the YAML's is
/// served); <c>invalid</c> (a managed template that no longer compiles with this configuration, e.g. it chains from a prompt
/// the YAML removed: not served, see <paramref name="Problem"/>).</param>
/// <param name="Revision">A managed template's revision (null for the YAML's).</param>
/// <param name="UpdatedAt">When a managed template last changed.</param>
/// <param name="Problem">Why an invalid template is not served.</param>
public sealed record PromptListing(PromptTemplateOptions Template, string Source, string Status, long? Revision, DateTimeOffset? UpdatedAt, string? Problem);
