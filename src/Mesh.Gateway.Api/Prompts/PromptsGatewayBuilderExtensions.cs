using Mesh.Gateway.Api.Callers;
using Mesh.Gateway.Api.Prompts;
using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Prompts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the prompt registry, its decorators and the Prompts API to the gateway.</summary>
public static class PromptsGatewayBuilderExtensions
{
    /// <summary>
    /// The prompt registry (<c>prompts:</c>), the decorator step, and <c>mesh.gateway.v1.Prompts</c> (map it with
    /// <see cref="PromptsEndpointRouteBuilderExtensions.MapMeshPrompts"/>). Needs <c>AddInferenceApi()</c> (the pipeline each
    /// prompt runs through) and <c>AddTenancy()</c>.
    /// </summary>
    public static IMeshGatewayBuilder AddPrompts(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddPrompts)))
        {
            builder.Requires(nameof(AddPrompts), "AddInferenceApi");
            builder.Requires(nameof(AddPrompts), "AddTenancy");
            builder.Services.AddMeshPrompts(builder.Configuration);
            builder.Services.AddSingleton<IValidateOptions<PromptsOptions>>(new PromptModelsValidator(builder.Configuration));
            builder.Services.AddSingleton(static sp => new PromptCatalog(
                sp.GetRequiredService<PromptRegistryHolder>(),
                sp.GetRequiredService<PromptsOptions>(),
                sp.GetRequiredService<IPromptTemplateStore>(),
                PromptCatalog.ModelCheck(new PromptModelsValidator(sp.GetRequiredService<IConfiguration>())),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILogger<PromptCatalog>>()));
            builder.Services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<PromptCatalog>());
            builder.Services.AddSingleton<IHostedService>(static sp => new PromptRegistryReloader(
                sp.GetRequiredService<ConfigurationVersions>(), sp.GetRequiredService<PromptCatalog>()));
            builder.Services.AddGrpc();
            builder.Services.TryAddSingleton<PromptsService>();
        }

        return builder;
    }
}
