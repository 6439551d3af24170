using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>Adds YAML sources to a configuration builder.</summary>
internal static class YamlConfigurationExtensions
{
    /// <summary>Adds a YAML file (absolute or relative to the current directory).</summary>
    public static IConfigurationBuilder AddYamlFile(
        this IConfigurationBuilder builder,
        string path,
        bool reloadOnChange,
        Func<string, string?>? environment = null,
        Action<ConfigurationFileException>? onReloadError = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var source = new YamlFileConfigurationSource
        {
            Path = System.IO.Path.GetFullPath(path),
            DisplayPath = path,
            Optional = false,
            ReloadOnChange = reloadOnChange,
            Environment = environment ?? Environment.GetEnvironmentVariable,
            OnReloadError = onReloadError,
        };
        source.ResolveFileProvider();
        if (reloadOnChange && source.FileProvider is Microsoft.Extensions.FileProviders.PhysicalFileProvider files)
        {
            // Poll the one file (every 4 s) instead of a FileSystemWatcher on its directory, which watches every subdirectory
            // too: a usage ledger or log written under the config's directory cost CPU on every request (seen in profiles),
            // and polling also sees Kubernetes ConfigMap updates, which swap a symlink rather than write the file.
            files.UsePollingFileWatcher = true;
            files.UseActivePolling = true;
        }

        return builder.Add(source);
    }

    /// <summary>Adds YAML text; <paramref name="sourceName"/> names it in error messages.</summary>
    public static IConfigurationBuilder AddYamlText(
        this IConfigurationBuilder builder,
        string yaml,
        string sourceName = "configuration",
        Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new YamlTextConfigurationSource(yaml, sourceName, environment ?? Environment.GetEnvironmentVariable));
    }
}
