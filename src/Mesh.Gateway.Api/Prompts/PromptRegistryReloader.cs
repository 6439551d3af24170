using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Prompts;
using Microsoft.Extensions.Hosting;

namespace Mesh.Gateway.Api.Prompts;

/// <summary>Rebuilds the prompt registry from each new configuration version (<c>prompts:</c>, already validated with the
/// whole file, versions' models included) plus the templates managed through the admin API (<see cref="PromptCatalog"/>) and swaps it in; a prompt call already begun keeps the registry it started with.</summary>
/// <remarks>A registry that does not compile throws; <see cref="ConfigurationVersions"/> hands the failure to the host, which
/// names the feature, and the running registry stays.</remarks>
internal sealed class PromptRegistryReloader(ConfigurationVersions versions, PromptCatalog catalog) : IHostedService, IDisposable
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = versions.Subscribe(PromptsOptions.SectionName, version => catalog.ApplyConfiguration(version.Get<PromptsOptions>()));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _subscription = null;
    }
}
