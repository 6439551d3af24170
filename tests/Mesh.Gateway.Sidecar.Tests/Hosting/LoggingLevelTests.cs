using Mesh.Gateway.Sidecar.Configuration;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Sidecar.Tests.Hosting;

/// <summary><c>logging.level</c> decides what reaches the console, for the sidecar's own categories and for the framework's.</summary>
public sealed class LoggingLevelTests
{
    [Theory]
    [InlineData("", "Mesh.Gateway.Api.Inference", LogLevel.Information)]
    [InlineData("logging: { level: warning }", "Mesh.Gateway.Api.Inference", LogLevel.Warning)]
    [InlineData("logging: { level: warning }", "Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Warning)]
    [InlineData("logging: { level: debug }", "Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.Warning)]
    [InlineData("logging: { level: trace }", "Mesh.Gateway.Envoy", LogLevel.Trace)]
    [InlineData("logging: { level: debug }", "Microsoft.AspNetCore.Server.Kestrel", LogLevel.Warning)]
    [InlineData("logging: { level: error }", GatewayHost.ListenersCategory, LogLevel.Information)] // where it listens (port 0), at any level
    [InlineData("logging: { level: debug }", GatewayHost.ListenersCategory, LogLevel.Information)]
    public void ConfiguredLevel_IsTheLowestEnabled(string yaml, string category, LogLevel lowest)
    {
        var settings = HostSettings.Load(new ConfigurationBuilder().AddYamlText(yaml, "test.yaml", _ => null).Build(), null, null);
        using var provider = new ServiceCollection()
            .AddLogging(logging => GatewayHost.ConfigureLogging(logging, settings, new GatewayHost.StartupPhase { Completed = true }))
            .BuildServiceProvider();
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger(category);

        var enabled = Enum.GetValues<LogLevel>().Where(l => l != LogLevel.None && logger.IsEnabled(l)).ToList();

        Assert.Equal(lowest, enabled.Min());
    }

    [Fact]
    public void LevelNone_ListeningLinesOff()
    {
        var settings = HostSettings.Load(new ConfigurationBuilder().AddYamlText("logging: { level: none }", "test.yaml", _ => null).Build(), null, null);
        using var provider = new ServiceCollection()
            .AddLogging(logging => GatewayHost.ConfigureLogging(logging, settings, new GatewayHost.StartupPhase { Completed = true }))
            .BuildServiceProvider();

        Assert.False(provider.GetRequiredService<ILoggerFactory>().CreateLogger(GatewayHost.ListenersCategory).IsEnabled(LogLevel.Critical));
    }
}
