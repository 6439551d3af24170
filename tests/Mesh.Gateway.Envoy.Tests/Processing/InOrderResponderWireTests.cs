using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Mesh.Gateway.Envoy.Processing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Processing;

/// <summary>
/// <see cref="InOrderResponder"/> on Grpc.AspNetCore over loopback HTTP/2: the package leaves a write with
/// <see cref="WriteFlags.BufferHint"/> unflushed, so the answers to a burst leave in a few flushes, in order.
/// </summary>
public sealed class InOrderResponderWireTests : IAsyncLifetime
{
    private const string ProcessPath = "/envoy.service.ext_proc.v3.ExternalProcessor/Process";
    private readonly FlushCounter _flushes = new();
    private WebApplication? _app;
    private string _address = string.Empty;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        _app = builder.Build();
        _app.Use((context, next) =>
        {
            // Counts the flushes of the response body the gRPC layer writes to.
            var body = context.Features.Get<IHttpResponseBodyFeature>()!;
            context.Features.Set<IHttpResponseBodyFeature>(new CountingBodyFeature(body, _flushes));
            return next(context);
        });
        _app.MapGrpcService<EchoProcessor>();
        await _app.StartAsync(Ct);
        _address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Burst_40MessagesInOneWrite_AllAnsweredInOrder_InAFewFlushes()
    {
        var body = Enumerable.Range(0, 40).SelectMany(i => Frame(new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8("m" + i) } })).ToArray();

        var (status, answers) = await SendAsync(body);

        Assert.Equal("0", status);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => "m" + i), answers.Select(a => a.RequestBody.Response.BodyMutation.Body.ToStringUtf8()));

        // One flush per answer (40) if BufferHint were ignored; held answers leave with the 17th, the 34th and the last
        // (plus, at most, the first, when the burst had not arrived yet as the call started).
        Assert.InRange(_flushes.Count, 1, 6);
    }

    [Fact]
    public async Task OneMessage_AnsweredAndFlushed()
    {
        var (status, answers) = await SendAsync(Frame(new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8("only") } }));

        Assert.Equal("0", status);
        Assert.Equal("only", Assert.Single(answers).RequestBody.Response.BodyMutation.Body.ToStringUtf8());
    }

    private async Task<(string? Status, List<ProcessingResponse> Answers)> SendAsync(byte[] body)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _address + ProcessPath)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        using var response = await client.SendAsync(request, Ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        var answers = new List<ProcessingResponse>();
        for (var at = 0; at < bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 1));
            answers.Add(ProcessingResponse.Parser.ParseFrom(bytes.AsSpan(at + 5, length)));
            at += 5 + length;
        }

        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.Single() : null;
        return (status, answers);
    }

    private static byte[] Frame(IMessage message)
    {
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>Answers every body chunk with a mutation carrying the same bytes, through <see cref="InOrderResponder"/>.</summary>
    private sealed class EchoProcessor : ExternalProcessor.ExternalProcessorBase
    {
        public override Task Process(IAsyncStreamReader<ProcessingRequest> requestStream, IServerStreamWriter<ProcessingResponse> responseStream, ServerCallContext context) =>
            InOrderResponder.RunAsync(
                requestStream,
                responseStream,
                static (request, _) => ValueTask.FromResult<ProcessingResponse?>(new ProcessingResponse
                {
                    RequestBody = new BodyResponse { Response = new CommonResponse { BodyMutation = new BodyMutation { Body = request.RequestBody.Body } } },
                }),
                context);
    }

    private sealed class FlushCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }

    private sealed class CountingBodyFeature(IHttpResponseBodyFeature inner, FlushCounter flushes) : IHttpResponseBodyFeature
    {
        private readonly CountingWriter _writer = new(inner.Writer, flushes);

        public Stream Stream => inner.Stream;

        public PipeWriter Writer => _writer;

        public Task CompleteAsync() => inner.CompleteAsync();

        public void DisableBuffering() => inner.DisableBuffering();

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            inner.SendFileAsync(path, offset, count, cancellationToken);

        public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);
    }

    private sealed class CountingWriter(PipeWriter inner, FlushCounter flushes) : PipeWriter
    {
        public override void Advance(int bytes) => inner.Advance(bytes);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            flushes.Add();
            return inner.FlushAsync(cancellationToken);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    }
}
