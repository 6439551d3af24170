using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using Mesh.Gateway.Benchmarks.Grpc.Protos;
using Mesh.Gateway.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Benchmarks.Grpc;

/// <summary>The two servers grpc-h2load.sh loads: our gRPC layer, and bare Kestrel writing the same framed bytes.</summary>
internal static class H2LoadServers
{
    public static int RunGrpcServer(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenGrpc("127.0.0.1:" + port));
        builder.Services.AddGrpcServer();
        var app = builder.Build();
        app.MapGrpcService<BenchServiceImpl>();
        app.Run();
        return 0;
    }

    /// <summary>Reads the request body to its end and writes a prebuilt frame (a 1 KiB BenchResponse) and grpc-status 0 trailers.</summary>
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
        app.Run(async context =>
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

            context.Response.ContentType = "application/grpc";
            await context.Response.BodyWriter.WriteAsync(frame);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        app.Run();
        return 0;
    }
}
