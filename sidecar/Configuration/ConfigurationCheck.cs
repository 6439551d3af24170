using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using YamlDotNet.RepresentationModel;

namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>
/// Checks a whole configuration without starting anything: unknown keys (with file:line:col and a "did you mean"), the host's
/// settings, every feature's binding and every registered validator. Used at start and for every reload, so both report the
/// same errors, all of them, one per line.
/// </summary>
internal static class ConfigurationCheck
{
    /// <summary>The errors in <paramref name="configuration"/> (empty when it can be used) and the host settings it gives.</summary>
    /// <param name="configuration">The configuration to check.</param>
    /// <param name="documents">The YAML behind it, for the unknown-key check (file name and parsed root).</param>
    /// <param name="options">The command line (its addresses win over the file's).</param>
    public static (IReadOnlyList<string> Errors, HostSettings? Settings) Run(
        IConfiguration configuration, IEnumerable<(string Source, YamlNode? Root)> documents, SidecarStartOptions options)
    {
        var (errors, settings, provider) = RunAndBind(configuration, documents, options);
        provider?.Dispose();
        return (errors, settings);
    }

    /// <summary>As <see cref="Run"/>; when there is no error, also the options bound from <paramref name="configuration"/> and
    /// validated (the caller owns the provider).</summary>
    public static (IReadOnlyList<string> Errors, HostSettings? Settings, ServiceProvider? Options) RunAndBind(
        IConfiguration configuration, IEnumerable<(string Source, YamlNode? Root)> documents, SidecarStartOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(options);
        var keyErrors = new List<string>();
        var errors = new List<string>();
        HostSettings? settings = null;
        try
        {
            settings = HostSettings.Load(configuration, options.GrpcAddress, options.AdminAddress, options.EnvoyAddress);
        }
        catch (StartupException ex)
        {
            errors.AddRange(Lines(ex.Message));
        }

        try
        {
            GrpcSettings.Load(configuration);
        }
        catch (StartupException ex)
        {
            errors.AddRange(Lines(ex.Message));
        }

        // The features bind into a scratch collection: nothing is created but the options and their validators.
        var services = new ServiceCollection();
        try
        {
            SidecarFeatures.AddServices(services, configuration);
        }
        catch (InvalidOperationException ex)
        {
            errors.AddRange(Lines(ex.Message));
        }

        var sections = HostConfigurationSchema.All(services);
        foreach (var (source, root) in documents)
        {
            keyErrors.AddRange(ConfigurationKeyChecker.Check(source, root, sections, SidecarFeatures.Sections));
        }

        ServiceProvider? provider = null;
        if (errors.Count == 0)
        {
            services.AddLogging();
            provider = services.BuildServiceProvider();
            try
            {
                provider.GetService<IStartupValidator>()?.Validate();
            }
            catch (OptionsValidationException ex)
            {
                errors.AddRange(ex.Failures.SelectMany(Lines));
            }
            catch (AggregateException ex)
            {
                foreach (var inner in ex.InnerExceptions)
                {
                    errors.AddRange(inner is OptionsValidationException validation ? validation.Failures.SelectMany(Lines) : Lines(inner.Message));
                }
            }
        }

        // A feature that reads its section by hand (prompts:) names an unknown key too, by path only: the line above says it.
        errors.RemoveAll(e => e.IndexOf(": unknown key (", StringComparison.Ordinal) is > 0 and var end
            && keyErrors.Exists(k => k.Contains($"unknown key '{e[..end]}'", StringComparison.Ordinal)));
        IReadOnlyList<string> all = [.. keyErrors, .. errors.Distinct(StringComparer.Ordinal)];
        if (all.Count > 0 && provider is not null)
        {
            provider.Dispose();
            provider = null;
        }

        return (all, settings, provider);
    }

    /// <summary>"Invalid x configuration:\na\nb" as "Invalid x configuration: a", "Invalid x configuration: b"; other text line by line.</summary>
    internal static IEnumerable<string> Lines(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 1 && lines[0].EndsWith(':')
            ? lines[1..].Select(line => lines[0] + " " + line)
            : lines;
    }
}
