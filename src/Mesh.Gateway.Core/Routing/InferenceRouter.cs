using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Resilience;
using Mesh.Gateway.Core.Routing.Health;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Core.Routing;

/// <summary>
/// The pipeline's terminal handler: resolves the model, picks a target by the route's rules, canary and strategy (skipping
/// ejected targets), calls it, and on retryable failures retries
/// (exponential backoff with jitter, honouring Retry-After) and fails over to the fallbacks in order, skipping targets whose
/// circuit is open. Never retries once output has been handed on. Reports the served target, usage and cost in the context.
/// </summary>
/// <remarks>Thread-safe; one instance serves every call.</remarks>
public sealed partial class InferenceRouter
{
    private readonly RoutingTableHolder _table;
    private readonly IProviderRegistry _providers;
    private readonly TargetCircuitBreakers _breakers;
    private readonly TimeProvider _timeProvider;
    private readonly Func<double> _sample;
    private readonly ILogger _logger;
    private readonly TargetHealthRegistry _health;
    private readonly RouteSelector _selector;

    /// <param name="table">The current routing table.</param>
    /// <param name="providers">The configured providers.</param>
    /// <param name="breakers">The per-target circuit breakers.</param>
    /// <param name="timeProvider">The clock for timeouts, backoff and TTFT.</param>
    /// <param name="logger">Where attempts and failovers are logged (no content).</param>
    /// <param name="sample">Uniform samples in [0, 1) for weighted picks and jitter (seed it in tests); defaults to <see cref="Random.Shared"/>.</param>
    /// <param name="health">Target health shared with the metrics and the Envoy door; a private one when null.</param>
    /// <param name="prices">List prices for the <c>cost</c> strategy, for targets without their own; none when null.</param>
    public InferenceRouter(
        RoutingTableHolder table,
        IProviderRegistry providers,
        TargetCircuitBreakers breakers,
        TimeProvider timeProvider,
        ILogger<InferenceRouter>? logger = null,
        Func<double>? sample = null,
        TargetHealthRegistry? health = null,
        IModelPriceLookup? prices = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(breakers);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _table = table;
        _providers = providers;
        _breakers = breakers;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger<InferenceRouter>.Instance;
        _sample = sample ?? Random.Shared.NextDouble;
        _health = health ?? new TargetHealthRegistry(timeProvider, publish: false);
        _selector = new RouteSelector(_health, prices, _sample);
    }

    /// <summary>The health of the targets this router calls.</summary>
    public TargetHealthRegistry Health => _health;

    /// <summary>The current routing table.</summary>
    public RoutingTable Table => _table.Current;

    /// <summary>Routes the call in <paramref name="context"/> (an <see cref="InferenceHandler"/>).</summary>
    public ValueTask<InferenceResult> HandleAsync(InferenceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_table.Current.TryResolve(context.Model, out var route))
        {
            return ValueTask.FromResult(InferenceResult.Failure(GatewayError.ModelNotFound(context.Model)));
        }

        var selection = _selector.Select(route, RouteRequest.From(context));
        if (context.ChatRequest is { IsProviderStateful: true } stateful && Honouring(route, selection, stateful) is var (honouring, refusal))
        {
            if (refusal is not null)
            {
                return ValueTask.FromResult(InferenceResult.Failure(refusal));
            }

            selection = honouring!;
        }

        return context.Operation switch
        {
            InferenceOperation.Embeddings => EmbedAsync(context, route, selection, cancellationToken),
            _ when context.IsStreaming => ValueTask.FromResult(InferenceResult.FromStream(StreamAsync(context, route, selection, cancellationToken))),
            _ => CompleteAsync(context, route, selection, cancellationToken),
        };
    }

    /// <summary>True when some target of <paramref name="model"/>'s route (any rule or variant) has every one of
    /// <paramref name="features"/>; a door uses it to refuse, or drop, a field before the call is made.</summary>
    public bool CanHonour(string model, ChatProviderFeatures features)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _table.Current.TryResolve(model, out var route)
            && route.AllTargets.Any(t => _providers.TryGetChat(t.Provider, out var provider) && (provider.Features & features) == features);
    }

    /// <summary>For a call that needs what only some providers have (a stored response, built-in tools): the candidates whose
    /// provider has it, or the INVALID_ARGUMENT naming the field when no target of the route can honour it.</summary>
    /// <remarks>A fallback to a target without the feature would answer without the stored context or the tools, so it is left
    /// out rather than tried.</remarks>
    private (RouteSelection? Selection, GatewayError? Refusal) Honouring(ModelRoute route, RouteSelection selection, ChatRequest request)
    {
        var (needs, field, what) = request.PreviousResponseId is not null
            ? (ChatProviderFeatures.StoredResponses, "previous_response_id", "continues a response stored at the provider")
            : (ChatProviderFeatures.BuiltInTools, "tools", "declares a built-in tool");
        if (request.PreviousResponseId is not null && request.BuiltInTools.Count > 0)
        {
            needs |= ChatProviderFeatures.BuiltInTools;
        }

        var kept = selection.Candidates
            .Where(c => _providers.TryGetChat(c.Target.Provider, out var provider) && (provider.Features & needs) == needs)
            .ToList();
        if (kept.Count == 0)
        {
            return (null, GatewayError.InvalidArgument(field, $"the call {what}, which no target of model '{route.Name}' can honour (only an OpenAI provider with api: responses can)"));
        }

        return (kept.Count == selection.Candidates.Count ? selection : selection with { Candidates = kept }, null);
    }

    private ProviderKind KindOf(string provider) =>
        _providers.TryGetChat(provider, out var chat) ? chat.Kind : ProviderKind.OpenAICompatible;

    private void Served(InferenceContext context, RouteSelection selection, RouteTarget target, bool isFallback)
    {
        context.ServedTarget = new ServedTarget(target.Provider, KindOf(target.Provider), target.Model, isFallback);
        context.Properties.Set(RoutingPropertyKeys.Decision, selection.Decision(target));
    }

    /// <summary>How an attempt that ended with <paramref name="error"/> counts for the target's health.</summary>
    private static AttemptOutcome Judge(ProviderError error) => error.IsRetryable ? AttemptOutcome.Failure : AttemptOutcome.Neutral;

    private static void RecordUsage(InferenceContext context, RouteTarget target, ChatUsage usage)
    {
        context.Usage = usage;
        if (target.Price is { } price)
        {
            context.Cost = price.Price(usage);
        }
    }

    /// <summary>The call's deadline: cancelled by the caller or after <c>timeouts.total_ms</c>. On the system clock one linked
    /// source does both (a second source and its registration per call were measurable, docs/0024); another clock (a test's)
    /// runs its own timer source, <paramref name="total"/>.</summary>
    private static CancellationTokenSource Deadline(CancellationTokenSource? total, ModelRoute route, CancellationToken caller)
    {
        if (total is not null)
        {
            return CancellationTokenSource.CreateLinkedTokenSource(caller, total.Token);
        }

        var linked = CancellationTokenSource.CreateLinkedTokenSource(caller);
        linked.CancelAfter(TimeSpan.FromMilliseconds(route.Timeouts.TotalMs));
        return linked;
    }

    private GatewayError TotalTimeout(InferenceContext context, ModelRoute route, bool midStream)
    {
        var elapsed = _timeProvider.GetElapsedTime(context.StartTimestamp);
        Log.TimedOut(_logger, route.Name, elapsed, "total_ms");
        return new GatewayError
        {
            Code = GatewayErrorCode.DeadlineExceeded,
            Reason = GatewayErrorReasons.TotalTimeout,
            Message = $"model '{route.Name}' did not finish within timeouts.total_ms ({route.Timeouts.TotalMs} ms)"
                + (midStream ? "; the response is incomplete" : string.Empty),
            Metadata = new Dictionary<string, string> { ["model"] = route.Name },
        };
    }

    private static GatewayError CircuitOpen(ModelRoute route, RouteTarget target) => new()
    {
        Code = GatewayErrorCode.Unavailable,
        Reason = GatewayErrorReasons.CircuitOpen,
        Message = $"provider '{target.Provider}' (model '{target.Model}') is failing and its circuit is open; no other target of model '{route.Name}' succeeded",
        Metadata = new Dictionary<string, string> { ["provider"] = target.Provider, ["model"] = target.Model },
    };

    private static GatewayError NoProvider(ModelRoute route, RouteTarget target, string what) => new()
    {
        Code = GatewayErrorCode.Unimplemented,
        Reason = GatewayErrorReasons.ProviderUnsupported,
        Message = $"provider '{target.Provider}' of model '{route.Name}' {what}",
        Metadata = new Dictionary<string, string> { ["provider"] = target.Provider, ["model"] = target.Model },
    };

    private static ProviderError Threw(RouteTarget target, Exception exception) => new()
    {
        Kind = ProviderErrorKind.Connection,
        Message = $"the call failed ({exception.GetType().Name})",
        IsRetryable = true,
        Provider = target.Provider,
    };
}
