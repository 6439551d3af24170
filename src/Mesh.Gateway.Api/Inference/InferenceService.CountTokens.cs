using Grpc.Core;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Tokens;
using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tokenizers;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.Api.Inference;

internal sealed partial class InferenceService
{
    public override async Task<CountTokensResponse> CountTokens(CountTokensRequest request, ServerCallContext context)
    {
        if (await AuthorizeAsync(request.Model, context).ConfigureAwait(false) is { } denied)
        {
            throw GatewayErrorStatus.ToRpcException(denied);
        }

        var error = TryCount(request, out var response);
        return error is null ? response! : throw GatewayErrorStatus.ToRpcException(error);
    }

    // With tenants configured the caller authenticates as for Generate, and may count only for models it may call: a count
    // names the provider model behind an alias.
    private async ValueTask<GatewayError?> AuthorizeAsync(string model, ServerCallContext context)
    {
        var tenant = await AuthenticatedTenantAsync(context).ConfigureAwait(false);
        if (tenant is null)
        {
            return null;
        }

        var access = AccessPolicy.Authorize(tenant, "chat", string.IsNullOrWhiteSpace(model) ? null : model);
        return access.Allowed
            ? null
            : new GatewayError { Code = GatewayErrorCode.PermissionDenied, Reason = GatewayErrorReasons.PermissionDenied, Message = access.Message };
    }

    private GatewayError? TryCount(CountTokensRequest request, out CountTokensResponse? response)
    {
        response = null;
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return GatewayError.InvalidArgument("model", "is required");
        }

        var hasText = request.Text.Length > 0;
        if (hasText && request.Messages.Count > 0)
        {
            return GatewayError.InvalidArgument("text", "set either text or messages, not both");
        }

        if (!hasText && request.Messages.Count == 0)
        {
            return GatewayError.InvalidArgument("messages", "set text or at least one message");
        }

        if (!hasText && request.IncludeTokenIds)
        {
            return GatewayError.InvalidArgument("include_token_ids", "token ids are returned for text only");
        }

        if (hasText && (request.Tools.Count > 0 || request.ToolChoice is not null || request.ResponseFormat is not null))
        {
            return GatewayError.InvalidArgument(request.Tools.Count > 0 ? "tools" : request.ToolChoice is not null ? "tool_choice" : "response_format", "applies to messages, not to text");
        }

        if (ResolveTarget(_router.Table, request.Model) is not { } target)
        {
            return GatewayError.ModelNotFound(request.Model);
        }

        response = new CountTokensResponse { Provider = target.Provider, ProviderModel = target.Model };
        if (hasText)
        {
            var tokenizer = _tokens.Resolve(target.Model);
            TokenCount count;
            if (request.IncludeTokenIds && tokenizer.Kind == TokenCountKind.Exact)
            {
                var ids = new List<int>();
                count = _tokens.Encode(target.Model, request.Text, ids);
                response.TokenIds.AddRange(ids.Select(static id => (uint)id));
            }
            else
            {
                count = tokenizer.CountText(request.Text);
            }

            response.TokenCount = count.Tokens;
            response.Exact = count.IsExact;
            response.Encoding = count.Encoding;
            if (!count.IsExact)
            {
                response.EstimatedParts.Add(EstimatedPart(ChatTokenApproximations.OtherProvider));
            }

            return null;
        }

        // Validated and mapped exactly as Generate maps its request, so the count covers what Generate would send.
        var generate = new GenerateRequest { Model = request.Model, ToolChoice = request.ToolChoice, ResponseFormat = request.ResponseFormat };
        generate.Messages.AddRange(request.Messages);
        generate.Tools.AddRange(request.Tools);
        var mapError = GenerateRequestMapper.TryMap(generate, out var chat);
        if (mapError is not null)
        {
            return mapError;
        }

        var chatCount = _tokens.CountChat(ChatTokenRequestMapper.ToTokenRequest(chat!, target.Model));
        response.TokenCount = chatCount.PromptTokens;
        response.Exact = chatCount.Kind == TokenCountKind.Exact;
        response.Encoding = chatCount.Encoding;
        foreach (var flag in Enum.GetValues<ChatTokenApproximations>())
        {
            if (flag != ChatTokenApproximations.None && chatCount.Approximations.HasFlag(flag))
            {
                response.EstimatedParts.Add(EstimatedPart(flag));
            }
        }

        return null;
    }

    /// <summary>
    /// The target a count is for: a routed name (or <c>provider/model</c>) resolves to its first target with the largest weight;
    /// a provider model id that some configured target uses resolves to that target.
    /// </summary>
    internal static RouteTarget? ResolveTarget(RoutingTable table, string model) => table.CountTarget(model);

    private static string EstimatedPart(ChatTokenApproximations flag) => flag switch
    {
        ChatTokenApproximations.OtherProvider => "other_provider",
        ChatTokenApproximations.ImageSizeUnknown => "image_size_unknown",
        ChatTokenApproximations.Audio => "audio",
        ChatTokenApproximations.ResponseFormat => "response_format",
        ChatTokenApproximations.ToolHistory => "tool_history",
        ChatTokenApproximations.File => "file",
        ChatTokenApproximations.SearchModel => "search_model",
        _ => flag.ToString().ToLowerInvariant(),
    };
}
