using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.Benchmarks.Portkey;

/// <summary>The one request every path sends: the same chat, as OpenAI JSON (direct, Portkey) and as a GenerateRequest (sidecar).</summary>
internal static class BenchRequests
{
    public const string UpstreamModel = "gpt-4o-mini";

    public const string SidecarModel = "bench";

    public static readonly byte[] OpenAIJson = Encoding.UTF8.GetBytes(
        """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16}""");

    public static GenerateRequest Generate() => new()
    {
        Model = SidecarModel,
        Messages = { new Message { Role = Role.User, Content = { new ContentPart { Text = "Say hello in five words." } } } },
        MaxOutputTokens = 16,
    };

    /// <summary>Writes the request files the load generators send: <c>openai.json</c> and <c>generate.frame</c> (a gRPC frame).</summary>
    public static int Write(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, "openai.json"), OpenAIJson);
        var message = Generate().ToByteArray();
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        File.WriteAllBytes(Path.Combine(directory, "generate.frame"), frame);
        return 0;
    }
}
