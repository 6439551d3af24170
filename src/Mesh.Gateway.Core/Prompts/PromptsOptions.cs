namespace Mesh.Gateway.Core.Prompts;

/// <summary>The <c>prompts:</c> section: named prompt templates and the decorators applied to calls by policy.</summary>
public sealed record PromptsOptions
{
    public const string SectionName = "prompts";

    /// <summary>Named templates (<c>prompts.templates</c>), callable through <c>Prompts.Run</c>.</summary>
    public IReadOnlyList<PromptTemplateOptions> Templates { get; init; } = [];

    /// <summary>System prompts added to calls per tenant or route (<c>prompts.decorators</c>), in order.</summary>
    public IReadOnlyList<PromptDecoratorOptions> Decorators { get; init; } = [];
}
