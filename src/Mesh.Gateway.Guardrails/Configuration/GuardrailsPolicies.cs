using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Hosting;

namespace Mesh.Gateway.Guardrails;

/// <summary>
/// The <c>guardrails:</c> options of the configuration version in force. Every door and the Guard API read
/// <see cref="Current"/> once per call, so a reload changes policies for the next call while a call in flight keeps the
/// policy it started with. Each version's options are new policy objects, so detectors compile once per version.
/// </summary>
public sealed class GuardrailsPolicies
{
    private volatile GuardrailsOptions _current;

    /// <summary>Starts with the options the sidecar started with.</summary>
    public GuardrailsPolicies(GuardrailsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _current = options;
    }

    /// <summary>The options in force.</summary>
    public GuardrailsOptions Current => _current;

    /// <summary>Makes <paramref name="options"/> (already validated with its whole file) the options in force.</summary>
    public void Replace(GuardrailsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _current = options;
    }
}

/// <summary>Applies <c>guardrails:</c> of each new configuration version.</summary>
internal sealed class GuardrailsReloader(ConfigurationVersions versions, GuardrailsPolicies policies) : IHostedService, IDisposable
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = versions.Subscribe(GuardrailsOptions.SectionName, v => policies.Replace(v.Get<GuardrailsOptions>()));
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
