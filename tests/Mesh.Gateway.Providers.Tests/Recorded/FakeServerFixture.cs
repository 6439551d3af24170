using Mesh.Gateway.Testing;

namespace Mesh.Gateway.Providers.Tests.Recorded;

/// <summary>One fake provider for a test class.</summary>
public sealed class FakeServerFixture : IAsyncLifetime
{
    public FakeProviderServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await FakeProviderServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
