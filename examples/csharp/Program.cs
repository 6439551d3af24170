// Calls the sidecar's Inference API: Generate, then GenerateStream, through Mesh.Gateway.Client.
// Usage: dotnet run -- [ADDRESS] [MODEL]   (defaults: http://127.0.0.1:50051, mock)
// Prints the answers, then one JSON line with what it saw (the tests read that line).
using System.Text;
using System.Text.Json;
using Mesh.Gateway.Client;
using Mesh.Gateway.V1;

var address = args.Length > 0 ? args[0] : "127.0.0.1:50051";
var model = args.Length > 1 ? args[1] : "mock";
using var client = new MeshInferenceClient(new Uri(address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address));
var request = new GenerateRequest
{
    Model = model,
    Messages = { new Message { Role = Role.User, Content = { new ContentPart { Text = "Say hello in five words." } } } },
    MaxOutputTokens = 64,
};

var response = await client.GenerateAsync(request);
Console.WriteLine($"Generate: \"{response.Text}\" ({response.Usage.InputTokens} in, {response.Usage.OutputTokens} out, served by {response.Provider}/{response.ProviderModel})");

var text = new StringBuilder();
var chunks = 0;
GenerateChunk? final = null;
await foreach (var chunk in client.GenerateStreamAsync(request))
{
    text.Append(chunk.Text);
    chunks++;
    if (chunk.FinishReason != FinishReason.Unspecified)
    {
        final = chunk;
    }
}

Console.WriteLine($"GenerateStream: \"{text}\" in {chunks} chunks, finish {final?.FinishReason}, {final?.Usage.OutputTokens} tokens out");
Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
{
    ["generate_text"] = response.Text,
    ["generate_output_tokens"] = response.Usage.OutputTokens,
    ["stream_text"] = text.ToString(),
    ["stream_chunks"] = chunks,
    ["stream_finish_reason"] = final is null ? null : "FINISH_REASON_" + final.FinishReason.ToString().ToUpperInvariant(),
    ["stream_output_tokens"] = final?.Usage.OutputTokens,
}));
