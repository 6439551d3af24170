using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Tokenizers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>
/// Loads the rank tables the configured routes count with (o200k_base for most) on a thread-pool thread once the host has
/// started, so readiness does not wait for them and the first call usually does not either (session 13: the o200k table
/// was 78% of the native build's first Generate). A call that arrives while a table loads waits for that one load (the
/// tables are lazily built once), as it did before; a table no route needs is never loaded.
/// </summary>
internal sealed class TokenizerWarmUp(
    TokenCounter counter, RoutingTableHolder? routes, IHostApplicationLifetime? lifetime, ILogger<TokenizerWarmUp> logger) : IHostedService
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the warm-up has loaded what it loads (for tests).</summary>
    internal Task Done => _done.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (routes is null || lifetime is null)
        {
            // A host without routes (a limits-only test host) counts nothing ahead.
            _done.TrySetResult();
            return Task.CompletedTask;
        }

        lifetime.ApplicationStarted.Register(static state => ThreadPool.UnsafeQueueUserWorkItem(
            static warmUp => warmUp.Warm(), (TokenizerWarmUp)state!, preferLocal: false), this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The encodings the routing table's targets and fallbacks count with, each once.</summary>
    internal static IEnumerable<TiktokenEncoding> Encodings(TokenCounter counter, RoutingTable table) =>
        table.Routes
            .SelectMany(static route => route.Targets.Concat(route.Fallbacks))
            .Select(target => counter.Resolve(target.Model).Encoding)
            .Distinct();

    private void Warm()
    {
        try
        {
            foreach (var encoding in Encodings(counter, routes!.Current))
            {
                // Counting builds the encoding's rank table (once per process).
                encoding.CountTokens("warm up", SpecialTokenPolicy.AsText);
            }

            _done.TrySetResult();
        }
#pragma warning disable CA1031 // A failed warm-up costs the first call its load, nothing more; the call itself reports a real fault.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.TokenizerWarmUpFailed(logger, ex);
            _done.TrySetException(ex);
        }
    }
}
