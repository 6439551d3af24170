using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Providers.Wire;
using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tokenizers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Http.Internal;

/// <summary>What every route of the HTTP door shares: reading a capped JSON body, the caller's headers, running a call through
/// the pipeline, and writing a <see cref="GatewayError"/> in the caller's schema. No policy lives here.</summary>
internal sealed class HttpDoor(
    InferencePipeline pipeline,
    InferenceRouter router,
    TenantAuthenticator authenticator,
    TokenCounter tokens,
    TimeProvider timeProvider,
    HttpDoorOptions options,
    RouteFieldPolicy routes)
{
    public InferenceRouter Router => router;

    public TokenCounter Tokens => tokens;

    public HttpDoorOptions Options => options;

    public TimeProvider Time => timeProvider;

    public static HttpDoor Of(HttpContext context) => context.RequestServices.GetRequiredService<HttpDoor>();

    /// <summary>The request body as JSON; a body over <see cref="HttpDoorOptions.MaxRequestBytes"/> is 413, malformed JSON 400.</summary>
    public async ValueTask<(JsonDocument? Body, GatewayError? Error)> ReadJsonAsync(HttpContext context)
    {
        if (context.Request.ContentLength > options.MaxRequestBytes)
        {
            return (null, TooLarge());
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = options.MaxRequestBytes;
        }

        try
        {
            var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, Invalid(GatewayErrorReasons.InvalidJson, "The request body must be a JSON object."));
            }

            return (document, null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }
        catch (JsonException ex)
        {
            return (null, Invalid(GatewayErrorReasons.InvalidJson, $"The request body is not valid JSON: {ex.Message}"));
        }
    }

    /// <summary>A chat call with the caller's headers and address, marked as the HTTP door's.</summary>
    public InferenceContext NewChat(HttpContext context, ChatRequest request, bool streaming) =>
        WithCaller(InferenceContext.ForChat(request, streaming, timeProvider), context);

    /// <summary>An embeddings call with the caller's headers and address.</summary>
    public InferenceContext NewEmbeddings(HttpContext context, EmbeddingRequest request) =>
        WithCaller(InferenceContext.ForEmbeddings(request, timeProvider), context);

    public ValueTask<InferenceResult> ExecuteAsync(InferenceContext call, CancellationToken cancellationToken) => pipeline.ExecuteAsync(call, cancellationToken);

    /// <summary>For routes outside the pipeline (models, count_tokens): the caller's tenant, null when the gateway runs without
    /// tenants; and the refusal when authentication fails or (with <paramref name="model"/>) the tenant may not use the model.</summary>
    public async ValueTask<(TenantOptions? Tenant, GatewayError? Error)> AuthorizeAsync(HttpContext context, string? model)
    {
        if (authenticator.Options.Tenants.Count == 0)
        {
            return (null, null);
        }

        var result = await authenticator.AuthenticateAsync(new CallerCredentials(Headers(context)), context.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return (null, result.ToGatewayError());
        }

        if (model is not null)
        {
            var access = AccessPolicy.Authorize(result.Tenant!, "chat", model);
            if (!access.Allowed)
            {
                return (null, new GatewayError { Code = GatewayErrorCode.PermissionDenied, Reason = GatewayErrorReasons.PermissionDenied, Message = access.Message });
            }
        }

        return (result.Tenant, null);
    }

    /// <summary>Answers <paramref name="error"/> with its HTTP status, <c>retry-after</c> when known, and the body of <paramref name="schema"/>.</summary>
    public static Task WriteErrorAsync(HttpContext context, GatewayError error, ApiSchema schema)
    {
        var status = HttpStatus(error);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (error.RetryAfter is { } retry)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        var body = WireCodecs.For(schema).RenderError(error, status);
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>The HTTP status of <paramref name="error"/>: its code's, except where HTTP names the failure more precisely.</summary>
    public static int HttpStatus(GatewayError error) => error.Reason switch
    {
        GatewayErrorReasons.RequestTooLarge => StatusCodes.Status413PayloadTooLarge,
        GatewayErrorReasons.ProviderError or GatewayErrorReasons.ProviderMalformedResponse or GatewayErrorReasons.StreamInterrupted
            or GatewayErrorReasons.UpstreamResponseUninspectable => StatusCodes.Status502BadGateway,
        _ => error.Code.ToHttpStatus(),
    };

    /// <summary>A 400 naming a field the door cannot carry to <paramref name="model"/>'s targets, or null when the model's route
    /// (<c>models[].unsupported_fields</c>) or else the door (<c>http.unsupported_fields</c>) is set to drop such fields.</summary>
    public GatewayError? Unsupported(string model, string field, string why) =>
        routes.Drops(model, options.DropsUnsupportedFields)
            ? null
            : GatewayError.InvalidArgument(field, $"{why} (set unsupported_fields: drop on the model's route, or http.unsupported_fields: drop, to ignore it)");

    public static GatewayError Invalid(string reason, string message) =>
        new() { Code = GatewayErrorCode.InvalidArgument, Reason = reason, Message = message };

    private GatewayError TooLarge() => new()
    {
        Code = GatewayErrorCode.InvalidArgument,
        Reason = GatewayErrorReasons.RequestTooLarge,
        Message = $"The request body is larger than the gateway accepts ({options.MaxRequestBytes} bytes).",
    };

    private static InferenceContext WithCaller(InferenceContext call, HttpContext context)
    {
        call.Source = InferenceSource.Http;
        call.Headers = Headers(context);
        call.Peer = context.Connection.RemoteIpAddress?.ToString();
        call.ConversationId = context.Request.Headers["x-conversation-id"].FirstOrDefault();
        return call;
    }

    // Lower-case names, as the pipeline's authentication reads them; Kestrel's names keep the case they arrived in (HTTP/1.1).
    private static Dictionary<string, string> Headers(HttpContext context)
    {
        var headers = new Dictionary<string, string>(context.Request.Headers.Count, StringComparer.Ordinal);
        foreach (var (name, value) in context.Request.Headers)
        {
            headers[name.ToLowerInvariant()] = value.ToString();
        }

        return headers;
    }
}
