using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tokenizers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Limits;

/// <summary>The routes' rank tables load after the host has started, so neither readiness nor (usually) the first call waits.</summary>
public sealed class TokenizerWarmUpTests
{
    [Fact]
    public void Encodings_TheRoutesTargetsAndFallbacks_EachEncodingOnce()
    {
        var table = RoutingTable.Create(new ModelsOptions
        {
            Models =
            [
                new ModelRouteOptions
                {
                    Name = "chat",
                    Targets = [new RouteTargetOptions { Provider = "p", Model = "gpt-4o-mini" }, new RouteTargetOptions { Provider = "p", Model = "gpt-4o" }],
                    Fallbacks = [new RouteTargetOptions { Provider = "p", Model = "gpt-4" }],
                },
                new ModelRouteOptions { Name = "claude", Targets = [new RouteTargetOptions { Provider = "p", Model = "claude-3-5-haiku-latest" }] },
            ],
        }, ["p"]);

        var names = TokenizerWarmUp.Encodings(TokenCounter.Default, table).Select(static e => e.Name).ToList();

        // gpt-4o and gpt-4o-mini share o200k_base (Claude's estimate is an o200k_base count too); gpt-4 is cl100k_base.
        Assert.Equal([TiktokenEncoding.O200kBaseName, TiktokenEncoding.Cl100kBaseName], names);
    }

    [Fact]
    public async Task Start_LoadsOnlyOnceTheHostHasStarted()
    {
        var lifetime = new Lifetime();
        var routes = new RoutingTableHolder(RoutingTable.Create(new ModelsOptions
        {
            Models = [new ModelRouteOptions { Name = "chat", Targets = [new RouteTargetOptions { Provider = "p", Model = "gpt-4o-mini" }] }],
        }, ["p"]));
        var warmUp = new TokenizerWarmUp(TokenCounter.Default, routes, lifetime, NullLogger<TokenizerWarmUp>.Instance);

        await warmUp.StartAsync(TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(warmUp.Done.IsCompleted, "nothing loads before the host reports started (readiness does not wait)");

        lifetime.Started();
        await warmUp.Done.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(warmUp.Done.IsCompletedSuccessfully);
    }

    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _started = new();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void Started() => _started.Cancel();

        public void StopApplication()
        {
        }

        public void Dispose() => _started.Dispose();
    }
}
