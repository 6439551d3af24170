using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Mock;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Providers.Registry;

/// <summary>Creates the provider for one validated <see cref="ProviderOptions"/> entry.</summary>
internal static class ProviderFactory
{
    public static IChatProvider Create(ProviderOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        if (!ProviderKinds.TryParse(options.Kind, out var kind))
        {
            throw new ArgumentException($"Unknown provider kind '{options.Kind}'.", nameof(options));
        }

        _ = loggerFactory;
        return kind switch
        {
            ProviderKind.Mock => new MockChatProvider(options.Name, TimeSpan.FromMilliseconds(options.DelayPerTokenMs), timeProvider),
            _ => throw new NotSupportedException($"Provider kind '{options.Kind}' is not available yet."),
        };
    }
}
