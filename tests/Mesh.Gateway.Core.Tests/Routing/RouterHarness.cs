using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Resilience;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Tests.Fakes;

namespace Mesh.Gateway.Core.Tests.Routing;

internal sealed class RouterHarness
{
    public RouterHarness(ModelsOptions models, Func<double>? sample, params ScriptedProvider[] providers)
    {
        var registry = new FakeRegistry(providers);
        Table = RoutingTable.Create(models, registry.Names);
        Breakers = new TargetCircuitBreakers(Time);
        Router = new InferenceRouter(new RoutingTableHolder(Table), registry, Breakers, Time, sample: sample ?? (() => 0.5));
    }

    public FakeTimeProvider Time { get; } = new();

    public RoutingTable Table { get; }

    public TargetCircuitBreakers Breakers { get; }

    public InferenceRouter Router { get; }

    public static ModelsOptions Model(
        string name,
        RouteTargetOptions[] targets,
        RouteTargetOptions[]? fallbacks = null,
        int maxRetries = 0,
        int baseDelayMs = 0,
        int maxDelayMs = 5_000,
        int firstTokenMs = 1_000,
        int totalMs = 60_000,
        RouteCircuitBreakerOptions? breaker = null) => new()
    {
        Models =
        [
            new ModelRouteOptions
            {
                Name = name,
                Targets = targets,
                Fallbacks = fallbacks ?? [],
                Retry = new RouteRetryOptions { MaxRetries = maxRetries, BaseDelayMs = baseDelayMs, MaxDelayMs = maxDelayMs },
                Timeouts = new RouteTimeoutOptions { FirstTokenMs = firstTokenMs, TotalMs = totalMs },
                CircuitBreaker = breaker ?? new RouteCircuitBreakerOptions { Enabled = false },
            },
        ],
    };

    public static RouteTargetOptions Target(string provider, string model, double weight = 1) => new() { Provider = provider, Model = model, Weight = weight };

    public InferenceContext Context(string model, bool streaming) =>
        InferenceContext.ForChat(new ChatRequest { Model = model, Messages = [ChatMessage.User("hi")] }, streaming, Time);

    public async Task<(List<ChatChunk> Chunks, GatewayError? Error)> StreamAsync(InferenceContext context, CancellationToken cancellationToken = default)
    {
        var result = await Router.HandleAsync(context, cancellationToken);
        if (result.IsError)
        {
            return ([], result.Error);
        }

        var chunks = new List<ChatChunk>();
        await foreach (var item in result.Stream!.WithCancellation(cancellationToken))
        {
            if (item.IsError)
            {
                return (chunks, item.Error);
            }

            chunks.Add(item.Chunk);
        }

        return (chunks, null);
    }
}
