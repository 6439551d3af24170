using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>Registers the prompt registry, the runner and the decorator step.</summary>
public static class PromptsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>prompts:</c> once (validated at start), registers the <see cref="PromptRegistryHolder"/> (the current snapshot), the
    /// <see cref="PromptRunner"/> (it needs the <see cref="InferencePipeline"/>, registered by the Inference API) and the
    /// decorator step at <see cref="InferenceStepOrder.PromptDecorators"/>. Calling it again adds nothing.
    /// </summary>
    public static IServiceCollection AddMeshPrompts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(static d => d.ServiceType == typeof(PromptRegistryHolder)))
        {
            return services;
        }

        var options = PromptsOptionsBinder.Bind(configuration, out var bindErrors);
        services.TryAddValidator<PromptsOptions, PromptsOptionsValidator>();
        services.AddBoundOptions(options, bindErrors);

        // The binder reads prompts: by hand; its shape is declared beside it so a misspelt key is named with its line.
        services.AddConfigurationSection(PromptsOptions.SectionName, PromptsConfigurationShape.Node,
            "Prompt templates (typed variables, versions, labels, A/B splits, chains) and decorators; see docs/0019-prompt-registry.md.");
        services.AddSingleton(static sp => new PromptRegistryHolder(PromptRegistry.Create(sp.GetRequiredService<PromptsOptions>())));
        services.TryAddSingleton(static _ => new PromptVersionSelector());
        services.TryAddSingleton<IPromptTemplateStore, InProcessPromptTemplateStore>();
        services.AddSingleton(static sp => new PromptRunner(
            sp.GetRequiredService<PromptRegistryHolder>(),
            sp.GetRequiredService<InferencePipeline>(),
            sp.GetRequiredService<PromptVersionSelector>()));
        services.AddInferenceStep(InferenceStepOrder.PromptDecorators, static sp => new PromptDecoratorStep(sp.GetRequiredService<PromptRegistryHolder>()));
        return services;
    }
}
