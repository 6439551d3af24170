using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Gateway.Api.Callers;
using Mesh.Gateway.Api.Inference;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Prompts;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.Api.Prompts;

/// <summary>The <c>mesh.gateway.v1.Prompts</c> service: maps a prompt call onto <see cref="PromptRunner"/> and the pipeline; no policy lives here.</summary>
/// <remarks>The caller is authenticated once, before the version is chosen (a sticky A/B split hashes its key), and the
/// identity rides on every call of the chain, so the pipeline's authentication step only authorizes each prompt.</remarks>
internal sealed class PromptsService(PromptRunner runner, InferenceService inference, TenantAuthenticator authenticator, TimeProvider timeProvider) : V1.Prompts.PromptsBase
{
    public override async Task<GenerateResponse> Run(RunPromptRequest request, ServerCallContext context)
    {
        var call = await PrepareAsync(request, context, isStreaming: false).ConfigureAwait(false);
        return await inference.RespondAsync(call, context).ConfigureAwait(false);
    }

    public override async Task RunStream(RunPromptRequest request, IServerStreamWriter<GenerateChunk> responseStream, ServerCallContext context)
    {
        var call = await PrepareAsync(request, context, isStreaming: true).ConfigureAwait(false);
        await inference.StreamAsync(call, responseStream, context).ConfigureAwait(false);
    }

    private async Task<InferenceContext> PrepareAsync(RunPromptRequest request, ServerCallContext context, bool isStreaming)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw GatewayErrorStatus.ToRpcException(GatewayError.InvalidArgument("name", "is required"));
        }

        var identity = (await authenticator.AuthenticateAsync(context).ConfigureAwait(false))?.Identity;
        var invocation = new PromptInvocation
        {
            Name = request.Name,
            Label = request.SelectorCase == RunPromptRequest.SelectorOneofCase.Label ? request.Label : null,
            Version = request.SelectorCase == RunPromptRequest.SelectorOneofCase.Version ? request.Version : null,
            Variables = Variables(request),
        };
        var prepared = await runner.PrepareAsync(invocation, identity, chat => NewCall(chat, isStreaming: false, identity, request, context), context.CancellationToken).ConfigureAwait(false);
        if (prepared.IsError)
        {
            throw GatewayErrorStatus.ToRpcException(prepared.Error);
        }

        var call = prepared.NewContext(isStreaming, timeProvider);
        InferenceService.WithCaller(call, context, request.Metadata);
        call.Identity = identity;
        return call;
    }

    private InferenceContext NewCall(ChatRequest chat, bool isStreaming, CallIdentity? identity, RunPromptRequest request, ServerCallContext context)
    {
        var call = InferenceService.WithCaller(InferenceContext.ForChat(chat, isStreaming, timeProvider), context, request.Metadata);
        call.Identity = identity;
        return call;
    }

    // google.protobuf.Value onto the prompt's three types; a list or an object is no variable's type.
    private static Dictionary<string, PromptValue> Variables(RunPromptRequest request)
    {
        var variables = new Dictionary<string, PromptValue>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Variables)
        {
            switch (value.KindCase)
            {
                case Value.KindOneofCase.StringValue:
                    variables[name] = PromptValue.FromString(value.StringValue);
                    break;
                case Value.KindOneofCase.NumberValue:
                    variables[name] = PromptValue.FromNumber(value.NumberValue);
                    break;
                case Value.KindOneofCase.BoolValue:
                    variables[name] = PromptValue.FromBoolean(value.BoolValue);
                    break;
                case Value.KindOneofCase.None or Value.KindOneofCase.NullValue:
                    break;
                default:
                    throw GatewayErrorStatus.ToRpcException(GatewayError.InvalidArgument($"variables.{name}", "must be a string, a number or a boolean"));
            }
        }

        return variables;
    }
}
