using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Delivers budget alerts to <c>limits.alert_webhook</c>: one JSON POST per alert, off the call's path (a bounded queue
/// drained in the background, retried a few times; an alert that cannot be delivered is logged, its log line was written anyway).</summary>
internal sealed class BudgetAlertWebhook : IHostedService, IAsyncDisposable
{
    private const int Attempts = 4;
    private readonly Uri _url;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Channel<BudgetAlert> _queue = Channel.CreateBounded<BudgetAlert>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private Task? _sender;

    public BudgetAlertWebhook(Uri url, TimeProvider time, ILogger<BudgetAlertWebhook>? logger = null)
    {
        _url = url;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Queues <paramref name="alert"/>; never blocks the call that crossed the threshold.</summary>
    public void Post(BudgetAlert alert) => _queue.Writer.TryWrite(alert);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _sender ??= Task.Run(SendLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_sender is not null)
        {
            try
            {
                await _sender.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _http.Dispose();
    }

    private async Task SendLoopAsync()
    {
        await foreach (var alert in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var payload = new BudgetAlertPayload(
                alert.TenantId,
                alert.Period == LimitKind.BudgetPerDay ? "daily" : "monthly",
                alert.SpentUsd,
                alert.BudgetUsd,
                _time.GetUtcNow(),
                alert.KeyId);
            Exception? last = null;
            for (var attempt = 1; attempt <= Attempts; attempt++)
            {
                try
                {
                    using var response = await _http.PostAsJsonAsync(_url, payload, BudgetAlertJsonContext.Default.BudgetAlertPayload).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        last = null;
                        break;
                    }

                    last = new HttpRequestException($"HTTP {(int)response.StatusCode}");
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    last = ex;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), _time).ConfigureAwait(false);
            }

            if (last is not null)
            {
                Log.AlertWebhookFailed(_logger, alert.TenantId, Attempts, last);
            }
        }
    }
}
