using Xunit;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Gateway.Sidecar;
using Mesh.Gateway.Sidecar.Hosting;
using Mesh.Gateway.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.FunctionalTests.Inference;

/// <summary>The real sidecar on 127.0.0.1:0 with a generated Inference client.</summary>
internal sealed class InferenceSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private InferenceSidecar(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        _channel = GrpcChannel.ForAddress(address);
        Client = new V1.Inference.InferenceClient(_channel);
    }

    public Uri Address { get; }

    public V1.Inference.InferenceClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the sidecar with <paramref name="yaml"/> (null = no configuration file, and no provider keys in the environment).</summary>
    public static async Task<InferenceSidecar> StartAsync(string? yaml = null, Func<string, string?>? environment = null)
    {
        var app = GatewayHost.Build(new SidecarStartOptions
        {
            ConfigYaml = yaml,
            GrpcAddress = "127.0.0.1:0",
            AdminAddress = "127.0.0.1:0",
            Environment = environment ?? (static _ => null),
            ReloadOnChange = false,
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var listeners = app.Services.GetRequiredService<SidecarListeners>();
        return new InferenceSidecar(app, SidecarListeners.ToUri(listeners.GrpcEndPoint));
    }

    /// <summary>YAML for one openai-compatible provider per fake server, named p0, p1, ...</summary>
    public static string Providers(params Uri[] baseUrls) =>
        "providers:\n" + string.Concat(baseUrls.Select(static (u, i) => $"  - {{ name: p{i}, kind: openai-compatible, base_url: '{u}v1', api_key: test-key }}\n"));

    public static GenerateRequest Ask(string model, string text = "Say hello") => new()
    {
        Model = model,
        Messages = { new V1.Message { Role = Role.User, Content = { new ContentPart { Text = text } } } },
    };

    /// <summary>The google.rpc.Status in the error's grpc-status-details-bin trailer.</summary>
    public static Google.Rpc.Status Details(RpcException exception)
    {
        var bytes = exception.Trailers.GetValueBytes("grpc-status-details-bin") ?? throw new InvalidOperationException("no grpc-status-details-bin");
        return Google.Rpc.Status.Parser.ParseFrom(bytes);
    }

    public static ErrorInfo Info(RpcException exception) =>
        Details(exception).Details.Single(static d => d.Is(ErrorInfo.Descriptor)).Unpack<ErrorInfo>();

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
