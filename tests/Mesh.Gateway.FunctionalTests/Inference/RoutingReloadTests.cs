using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Testing;
using Mesh.Gateway.V1;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.FunctionalTests.Inference;

/// <summary>Editing the configuration file's <c>models:</c> reroutes a running sidecar; an invalid edit keeps the running table.</summary>
public sealed class RoutingReloadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConfigurationFileEdited_ModelsReloadedWithoutRestart_InvalidEditKeepsRunningTable()
    {
        await using var fake = await FakeProviderServer.StartAsync(Ct);
        fake.Default = FakeResponse.OpenAIChat("ok");
        var directory = Directory.CreateTempSubdirectory("mesh-reload-");
        var path = Path.Combine(directory.FullName, "sidecar.yaml");
        try
        {
            await File.WriteAllTextAsync(path, Config(fake, "chat", "gpt-4o-mini", "p0"), Ct);
            await using var sidecar = await SidecarHost.StartAsync(string.Empty, null, null, static _ => null,
                options => options with { ConfigYaml = null, ConfigPath = path, ReloadOnChange = true });
            var client = new V1.Inference.InferenceClient(sidecar.Channel);
            await client.GenerateAsync(InferenceSidecar.Ask("chat"), cancellationToken: Ct);
            Assert.Equal("gpt-4o-mini", Sent(fake, 0));

            // A valid edit: the alias now routes to another upstream model, and a second alias appears.
            await File.WriteAllTextAsync(path, Config(fake, "chat", "gpt-5-nano", "p0") + "  - { name: extra, targets: [ { provider: p0, model: gpt-4.1-nano } ] }\n", Ct);
            await WaitForModels(client, static names => names.Contains("extra"));
            await client.GenerateAsync(InferenceSidecar.Ask("chat"), cancellationToken: Ct);
            Assert.Equal("gpt-5-nano", Sent(fake, 1));

            // An invalid edit (a route to a provider that does not exist): the whole file is refused, the table is not replaced.
            await File.WriteAllTextAsync(path, Config(fake, "chat", "gpt-4o", "nope"), Ct);
            var reloader = sidecar.Services.GetRequiredService<Mesh.Gateway.Sidecar.Configuration.ConfigurationReloader>();
            await WaitFor(() => reloader.Status.Rejected is not null);
            Assert.Contains(reloader.Status.Rejected!.Errors, static e => e.Contains("models[0].targets[0].provider", StringComparison.Ordinal));
            Assert.Equal("p0", sidecar.Services.GetRequiredService<IConfiguration>()["models:0:targets:0:provider"]);
            var models = await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct);
            Assert.Equal(["chat", "extra"], models.Models.Select(static m => m.Name));
            await client.GenerateAsync(InferenceSidecar.Ask("chat"), cancellationToken: Ct);
            Assert.Equal("gpt-5-nano", Sent(fake, 2));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string Config(FakeProviderServer fake, string model, string upstream, string provider) =>
        $"logging: {{ level: warning }}\n{InferenceSidecar.Providers(fake.BaseUrl)}models:\n  - {{ name: {model}, targets: [ {{ provider: {provider}, model: {upstream} }} ] }}\n";

    // The upstream model named in the request body the fake provider received.
    private static string Sent(FakeProviderServer fake, int index) =>
        System.Text.Json.JsonDocument.Parse(fake.Requests[index].Body).RootElement.GetProperty("model").GetString()!;

    private static async Task WaitForModels(V1.Inference.InferenceClient client, Func<List<string>, bool> done)
    {
        await WaitFor(async () => done([.. (await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct)).Models.Select(static m => m.Name)]));
    }

    private static Task WaitFor(Func<bool> condition) => WaitFor(() => Task.FromResult(condition()));

    // File change notification takes a moment (and longer on a loaded machine): poll, with a bound far above the usual delay.
    private static async Task WaitFor(Func<Task<bool>> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the configuration change was not picked up within 60 s");
            await Task.Delay(100, Ct);
        }
    }
}
