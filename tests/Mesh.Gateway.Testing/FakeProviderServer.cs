using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Testing;

/// <summary>
/// A fake model provider on 127.0.0.1:0 (real Kestrel, HTTP/1.1 and h2c) that replays recorded or synthesised responses
/// and injects faults: error statuses with Retry-After, slow headers or first byte, random chunk boundaries, a disconnect mid-body.
/// </summary>
/// <remarks>
/// Responses are chosen in this order: the next queued one (<see cref="Enqueue"/>), then the first route whose path fragment
/// the request path contains (<see cref="Route"/>), then <see cref="Default"/>; with none, it answers 500 and says so.
/// Thread-safe.
/// </remarks>
public sealed class FakeProviderServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeResponse> _queue = new();
    private readonly ConcurrentQueue<(string PathFragment, FakeResponse Response)> _routes = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeProviderServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The root URL, e.g. http://127.0.0.1:41234/ (append the provider's path, such as v1/).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The response used when nothing is queued and no route matches.</summary>
    public FakeResponse? Default { get; set; }

    /// <summary>Requests received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public int RequestCount => _requests.Count;

    public static async Task<FakeProviderServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2));
        var app = builder.Build();
        var server = new FakeProviderServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <summary>Queues responses for the next requests, in order.</summary>
    public void Enqueue(params FakeResponse[] responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        foreach (var r in responses)
        {
            _queue.Enqueue(r);
        }
    }

    /// <summary>Answers every request whose path contains <paramref name="pathFragment"/> with <paramref name="response"/> (when nothing is queued).</summary>
    public void Route(string pathFragment, FakeResponse response) => _routes.Enqueue((pathFragment, response));

    private async Task HandleAsync(HttpContext context)
    {
        var abort = context.RequestAborted;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, abort).ConfigureAwait(false);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        // The raw request target, as the client escaped it (Request.Path is unescaped).
        var path = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget
            ?? context.Request.Path.Value + context.Request.QueryString.Value;
        _requests.Enqueue(new RecordedRequest(context.Request.Method, path, headers, body.ToArray()));

        var response = Pick(path);
        if (response is null)
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync("{\"error\":{\"message\":\"the fake provider has no response for " + path + "\"}}", abort).ConfigureAwait(false);
            return;
        }

        try
        {
            await WriteAsync(context, response, abort).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away (cancellation under test): nothing to do.
        }
    }

    private FakeResponse? Pick(string path)
    {
        if (_queue.TryDequeue(out var queued))
        {
            return queued;
        }

        foreach (var (fragment, r) in _routes)
        {
            if (path.Contains(fragment, StringComparison.Ordinal))
            {
                return r;
            }
        }

        return Default;
    }

    private static async Task WriteAsync(HttpContext context, FakeResponse response, CancellationToken abort)
    {
        if (response.HeadersDelay > TimeSpan.Zero)
        {
            await Task.Delay(response.HeadersDelay, abort).ConfigureAwait(false);
        }

        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        if (response.DisconnectAfterBytes is not null)
        {
            // The disconnect: announce the whole body, send only part of it and end the handler normally. Kestrel then
            // finishes writing what was sent and closes the connection (HTTP/1.1) or resets the stream (HTTP/2) because the
            // body is short: the client gets every byte before the cut, then a premature end, with no race and no delay.
            context.Response.ContentLength = response.Body.Length;
        }

        foreach (var (k, v) in response.Headers)
        {
            context.Response.Headers[k] = v;
        }

        await context.Response.StartAsync(abort).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(abort).ConfigureAwait(false);
        if (response.FirstByteDelay > TimeSpan.Zero)
        {
            await Task.Delay(response.FirstByteDelay, abort).ConfigureAwait(false);
        }

        var body = response.Body;
        var limit = response.DisconnectAfterBytes ?? response.StallAfterBytes ?? int.MaxValue;
        var random = response.SplitSeed is { } seed ? new Random(seed) : null;
        var offset = 0;
        while (offset < body.Length)
        {
            var size = random is null ? body.Length - offset : random.Next(1, response.MaxChunkSize + 1);
            size = Math.Min(size, body.Length - offset);
            if (offset + size > limit)
            {
                size = limit - offset;
            }

            if (size > 0)
            {
                await context.Response.Body.WriteAsync(body.Slice(offset, size), abort).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(abort).ConfigureAwait(false);
                offset += size;
            }

            if (offset >= limit)
            {
                if (response.StallAfterBytes is not null)
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, abort).ConfigureAwait(false);
                }

                return;
            }

            if (response.ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(response.ChunkDelay, abort).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
