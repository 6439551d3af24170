using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Providers;

/// <summary>Binds the <c>providers:</c> section and builds provider registries (also used on configuration reload).</summary>
public static class MeshProviders
{
    /// <summary>Binds the <c>providers:</c> list from <paramref name="configuration"/> (the configuration root).</summary>
    public static ProvidersOptions Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var list = configuration.GetSection(ProvidersOptions.SectionName).Get<List<ProviderOptions>>() ?? [];
        return new ProvidersOptions { Providers = list };
    }

    /// <summary>The configuration used when none is given: a <c>mock</c> provider.</summary>
    public static ProvidersOptions Default { get; } = new()
    {
        Providers = [new ProviderOptions { Name = ProviderKinds.Mock, Kind = ProviderKinds.Mock }],
    };

    /// <summary>Validates <paramref name="options"/> and builds a registry; throws with every error (key path and problem) when invalid.</summary>
    public static IProviderRegistry CreateRegistry(ProvidersOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = ProvidersOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid providers configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }

        timeProvider ??= TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        return new ProviderRegistry(options.Providers.Select(p => ProviderFactory.Create(p, timeProvider, loggerFactory)).ToList());
    }
}
