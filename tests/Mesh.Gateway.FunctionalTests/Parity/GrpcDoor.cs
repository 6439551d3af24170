using Grpc.Core;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Testing;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.FunctionalTests.Parity;

/// <summary>The typed gRPC door: <c>mesh.gateway.v1.Inference/Generate</c> or <c>GenerateStream</c> with the generated client.</summary>
/// <remarks>The gateway routes the model to an <c>openai</c> provider on the fake upstream, so the upstream sees OpenAI's wire schema.</remarks>
public sealed class GrpcDoor(bool streams) : IDoor
{
    public string Name => streams ? "grpc GenerateStream" : "grpc Generate";

    public bool Streams => streams;

    public string LedgerDoor => "grpc";

    public string GenAiProvider => "openai";

    public string Model(string logical) => logical;

    public FakeResponse Reply(IReadOnlyList<string> deltas) =>
        streams ? FakeResponse.OpenAIChatStream(deltas) : FakeResponse.OpenAIChat(string.Concat(deltas));

    public FakeResponse ToolCallReply(string name, string arguments) =>
        streams ? Guard.Tools.ToolReplies.Stream("openai", name, arguments, split: arguments.Length / 2) : Guard.Tools.ToolReplies.Whole("openai", name, arguments);

    public async Task<DoorOutcome> CallAsync(ParityRig rig, DoorCall request, CancellationToken cancellationToken)
    {
        var client = new V1.Inference.InferenceClient(rig.Sidecar.Channel);
        var headers = new Metadata { { "authorization", "Bearer " + request.ApiKey } };
        if (request.TraceParent is { } traceParent)
        {
            headers.Add("traceparent", traceParent);
        }

        var generate = new GenerateRequest
        {
            Model = Model(request.Model),
            Messages = { new V1.Message { Role = Role.User, Content = { new ContentPart { Text = request.Prompt } } } },
        };
        foreach (var tool in request.Tools)
        {
            generate.Tools.Add(new Tool { Name = tool, Description = "A tool" });
        }

        if (request.ToolResult is { } result)
        {
            generate.Messages.Add(new V1.Message { Role = Role.Assistant, ToolCalls = { new ToolCall { Id = "call_1", Name = DoorCall.ToolCallName, Arguments = DoorCall.ToolCallArguments } } });
            generate.Messages.Add(new V1.Message { Role = Role.Tool, ToolCallId = "call_1", Content = { new ContentPart { Text = result } } });
        }

        try
        {
            if (!streams)
            {
                var response = await client.GenerateAsync(generate, headers, cancellationToken: cancellationToken);
                return new DoorOutcome { Text = response.Text, FinishReason = Finish(response.FinishReason), ToolArguments = [.. response.ToolCalls.Select(static c => c.Arguments)] };
            }

            using var stream = client.GenerateStream(generate, headers, cancellationToken: cancellationToken);
            var text = new System.Text.StringBuilder();
            string? finish = null;
            var tools = new SortedDictionary<int, System.Text.StringBuilder>();
            while (await stream.ResponseStream.MoveNext(cancellationToken))
            {
                var chunk = stream.ResponseStream.Current;
                text.Append(chunk.Text);
                finish = Finish(chunk.FinishReason) ?? finish;
                foreach (var piece in chunk.ToolCalls)
                {
                    (tools.TryGetValue(piece.Index, out var arguments) ? arguments : tools[piece.Index] = new System.Text.StringBuilder()).Append(piece.Arguments);
                }
            }

            return new DoorOutcome { Text = text.ToString(), FinishReason = finish, ToolArguments = [.. tools.Values.Select(static b => b.ToString())] };
        }
        catch (RpcException ex)
        {
            return new DoorOutcome { Status = ((GatewayErrorCode)(int)ex.StatusCode).ToHttpStatus(), ErrorMessage = ex.Status.Detail, ErrorCode = Inference.InferenceSidecar.Info(ex).Reason.ToLowerInvariant() };
        }
    }

    public override string ToString() => Name;

    private static string? Finish(FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        FinishReason.ToolCalls => "tool_calls",
        FinishReason.ContentFilter => "content_filter",
        FinishReason.Unspecified => null,
        _ => reason.ToString(),
    };
}
