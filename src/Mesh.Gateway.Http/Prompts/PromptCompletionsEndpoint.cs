using System.Text.Json;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Prompts;
using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Http.OpenAI;
using Mesh.Gateway.Providers.Wire;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Http.Prompts;

/// <summary>
/// <c>POST /v1/prompts/{name}/completions</c>: runs a published prompt (<see cref="PromptRunner"/>) and answers as OpenAI's
/// chat completions, unary or streamed. Body: <c>variables</c> (an object of strings, numbers, booleans), optional
/// <c>label</c> or <c>version</c>, <c>stream</c>, <c>stream_options.include_usage</c>. Errors in OpenAI's error schema.
/// </summary>
internal static class PromptCompletionsEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var door = HttpDoor.Of(context);
        var (body, error) = await door.ReadJsonAsync(context).ConfigureAwait(false);
        using (body)
        {
            var name = context.Request.RouteValues["name"] as string ?? string.Empty;
            Request? read = null;
            error ??= TryRead(body!.RootElement, name, out read);
            CallIdentity? identity = null;
            if (error is null)
            {
                (identity, error) = await AuthenticateAsync(context).ConfigureAwait(false);
            }

            PromptPreparation? prepared = null;
            if (error is null)
            {
                var runner = context.RequestServices.GetRequiredService<PromptRunner>();
                prepared = await runner.PrepareAsync(read!.Invocation, identity, chat => WithIdentity(door.NewChat(context, chat, streaming: false), identity), context.RequestAborted).ConfigureAwait(false);
                error = prepared.Error;
            }

            if (error is not null)
            {
                await HttpDoor.WriteErrorAsync(context, error, ApiSchema.OpenAIChat).ConfigureAwait(false);
                return;
            }

            var call = WithIdentity(door.NewChat(context, prepared!.Request!, read!.Stream), identity);
            call.Properties.Set(PromptCall.Key, prepared.Call!);
            var answer = new OpenAIChatAnswer(prepared.Request!.Model, read.IncludeUsage, JsonResponse.Now(door.Time));
            await ChatExchange.RunAsync(context, door, call, ApiSchema.OpenAIChat, answer).ConfigureAwait(false);
        }
    }

    private sealed record Request(PromptInvocation Invocation, bool Stream, bool IncludeUsage);

    private static GatewayError? TryRead(JsonElement root, string name, out Request? request)
    {
        request = null;
        string? problem = null;
        var label = JsonRead.String(root, "label", string.Empty, ref problem);
        var version = JsonRead.String(root, "version", string.Empty, ref problem);
        var stream = JsonRead.Bool(root, "stream", ref problem) ?? false;
        var includeUsage = false;
        if (JsonRead.Has(root, "stream_options", out var options) && options.ValueKind == JsonValueKind.Object)
        {
            includeUsage = JsonRead.Bool(options, "include_usage", ref problem) ?? false;
        }

        if (problem is not null)
        {
            var colon = problem.IndexOf(':', StringComparison.Ordinal);
            return GatewayError.InvalidArgument(problem[..colon], problem[(colon + 2)..]);
        }

        var variables = new Dictionary<string, PromptValue>(StringComparer.Ordinal);
        if (JsonRead.Has(root, "variables", out var given))
        {
            if (given.ValueKind != JsonValueKind.Object)
            {
                return GatewayError.InvalidArgument("variables", "must be an object");
            }

            foreach (var variable in given.EnumerateObject())
            {
                switch (variable.Value.ValueKind)
                {
                    case JsonValueKind.String:
                        variables[variable.Name] = PromptValue.FromString(variable.Value.GetString()!);
                        break;
                    case JsonValueKind.Number:
                        variables[variable.Name] = PromptValue.FromNumber(variable.Value.GetDouble());
                        break;
                    case JsonValueKind.True or JsonValueKind.False:
                        variables[variable.Name] = PromptValue.FromBoolean(variable.Value.GetBoolean());
                        break;
                    case JsonValueKind.Null:
                        break;
                    default:
                        return GatewayError.InvalidArgument($"variables.{variable.Name}", "must be a string, a number or a boolean");
                }
            }
        }

        request = new Request(new PromptInvocation { Name = name, Label = label, Version = version, Variables = variables }, stream, includeUsage);
        return null;
    }

    // The caller is authenticated once, before the version is chosen (a sticky A/B split hashes its key); every call of the
    // chain carries the identity, so the pipeline only authorizes each prompt.
    private static async ValueTask<(CallIdentity? Identity, GatewayError? Error)> AuthenticateAsync(HttpContext context)
    {
        var authenticator = context.RequestServices.GetRequiredService<TenantAuthenticator>();
        if (authenticator.Options.Tenants.Count == 0)
        {
            return (null, null);
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in context.Request.Headers)
        {
            headers[key.ToLowerInvariant()] = value.ToString();
        }

        var result = await authenticator.AuthenticateAsync(new CallerCredentials(headers), context.RequestAborted).ConfigureAwait(false);
        return result.Succeeded ? (result.Identity, null) : (null, result.ToGatewayError());
    }

    private static InferenceContext WithIdentity(InferenceContext call, CallIdentity? identity)
    {
        call.Identity = identity;
        return call;
    }
}
