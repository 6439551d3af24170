using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using Mesh.Gateway.Benchmarks.Grpc.Protos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Benchmarks.Grpc;

/// <summary>The two servers grpc-h2load.sh loads: Grpc.AspNetCore, and bare Kestrel writing the same framed bytes.</summary>
internal static class H2LoadServers
{
    public static int RunGrpcServer(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<BenchServiceImpl>();
        StartAllocationReport();
        app.Run();
        return 0;
    }

    /// <summary>Reads the request body to its end and writes the same headers, a prebuilt frame (a 1 KiB BenchResponse) and grpc-status 0 trailers.</summary>
    public static int RunBareKestrel(int port)
    {
        var payload = new BenchResponse { Payload = ByteString.CopyFrom(new byte[1024]) }.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        RequestDelegate handler = async context =>
        {
            var reader = context.Request.BodyReader;
            while (true)
            {
                var result = await reader.ReadAsync();
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            // The same response headers as our layer (it announces the encodings it accepts), so both send the same bytes.
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-accept-encoding"] = "identity,gzip";
            await context.Response.BodyWriter.WriteAsync(frame);
            context.Response.AppendTrailer("grpc-status", "0");
        };
        if (Environment.GetEnvironmentVariable("BENCH_ROUTED") == "1")
        {
            app.MapPost("/mesh.bench.v1.BenchService/Unary", handler);
        }
        else
        {
            app.Run(handler);
        }

        StartAllocationReport();
        app.Run();
        return 0;
    }

    /// <summary>When BENCH_STATS names a file, keeps the bytes this process has allocated in it (rewritten every 100 ms) for grpc-h2load.sh.</summary>
    private static void StartAllocationReport()
    {
        if (Environment.GetEnvironmentVariable("BENCH_STATS") is not { Length: > 0 } path)
        {
            return;
        }

        var thread = new Thread(() =>
        {
            while (true)
            {
                File.WriteAllText(path + ".tmp", GC.GetTotalAllocatedBytes(precise: false).ToString(System.Globalization.CultureInfo.InvariantCulture));
                File.Move(path + ".tmp", path, overwrite: true);
                Thread.Sleep(100);
            }
        })
        { IsBackground = true, Name = "bench-stats" };
        thread.Start();
    }
}
