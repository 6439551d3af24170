using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Guardrails.Tests.Checks;

/// <summary>A guardrail service on 127.0.0.1:0 (real Kestrel): answers every POST with <see cref="Answer"/> after
/// <see cref="Delay"/>, with <see cref="Status"/>; records each request's path, Authorization header and body.</summary>
internal sealed class FakeCheckService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeCheckService(WebApplication app) => _app = app;

    public string Answer { get; set; } = "{\"flagged\":false}";

    public int Status { get; set; } = 200;

    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public ConcurrentQueue<(string Path, string? Authorization, string Body)> Requests { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<FakeCheckService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var service = new FakeCheckService(app);
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            service.Requests.Enqueue((http.Request.Path.Value ?? string.Empty, http.Request.Headers.Authorization.ToString(), await reader.ReadToEndAsync(http.RequestAborted)));
            if (service.Delay > TimeSpan.Zero)
            {
                await Task.Delay(service.Delay, http.RequestAborted);
            }

            http.Response.StatusCode = service.Status;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(service.Answer, http.RequestAborted);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        service.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return service;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
