using System.Buffers.Binary;
using Google.Protobuf;

namespace Mesh.Gateway.Benchmarks.Envoy;

/// <summary>Writes one ext_proc exchange and one ext_authz Check as gRPC request bodies for h2load (tests/Benchmarks/Envoy/h2load.sh):
/// <c>process.body</c> holds every message of the exchange, each a gRPC frame, in Envoy's order; <c>check.body</c> the Check.</summary>
internal static class EnvoyExchangeFrames
{
    public static int Write(string directory)
    {
        var messages = EnvoyExchangeMessages.Create(EnvoyDoorServers.GatewayKey);
        Directory.CreateDirectory(directory);
        using (var process = File.Create(Path.Combine(directory, "process.body")))
        {
            WriteFrame(process, messages.RequestHeaders);
            WriteFrame(process, messages.RequestBody);
            WriteFrame(process, messages.ResponseHeaders);
            foreach (var chunk in messages.ResponseChunks)
            {
                WriteFrame(process, chunk);
            }
        }

        using (var check = File.Create(Path.Combine(directory, "check.body")))
        {
            WriteFrame(check, messages.Check);
        }

        Console.WriteLine(3 + messages.ResponseChunks.Count);
        return 0;
    }

    private static void WriteFrame(Stream stream, IMessage message)
    {
        Span<byte> prefix = stackalloc byte[5];
        prefix[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)message.CalculateSize());
        stream.Write(prefix);
        message.WriteTo(stream);
    }
}
