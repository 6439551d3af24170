using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Gateway.Api.Prompts;
using Mesh.Gateway.Core.Prompts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>
/// Prompt templates through the admin API (<c>/admin/v1/prompts</c>), beside those of the YAML: list, read, create or replace,
/// add a version, move a label, delete. Bodies use the YAML's keys (<c>variables</c>, <c>versions</c>, <c>labels</c>,
/// <c>max_output_tokens</c>, <c>from_label</c>); an unknown key is a 400 naming it. See docs/0019-prompt-registry.md.
/// </summary>
internal static class PromptAdminApi
{
    private const string TemplateShape = "{\"variables\": [{\"name\": \"text\", \"type\": \"string\"}], \"versions\": [{\"version\": \"1\", \"model\": \"chat\", \"messages\": [{\"role\": \"user\", \"content\": \"Summarize: {{text}}\"}]}], \"labels\": {\"production\": {\"version\": \"1\"}}}";

    public static void MapPromptAdminApi(this IEndpointRouteBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapGet("/admin/v1/prompts", AdminCredentials.Require(ListAsync));
        admin.MapGet("/admin/v1/prompts/{name}", AdminCredentials.Require(GetAsync));
        admin.MapPut("/admin/v1/prompts/{name}", AdminCredentials.Require(StoreUnavailableAs503(PutAsync)));
        admin.MapPost("/admin/v1/prompts/{name}/versions", AdminCredentials.Require(StoreUnavailableAs503(AddVersionAsync)));
        admin.MapPut("/admin/v1/prompts/{name}/labels/{label}", AdminCredentials.Require(StoreUnavailableAs503(SetLabelAsync)));
        admin.MapDelete("/admin/v1/prompts/{name}", AdminCredentials.Require(StoreUnavailableAs503(DeleteAsync)));
    }

    private static RequestDelegate StoreUnavailableAs503(RequestDelegate handler) => async context =>
    {
        if (context.RequestServices.GetService<PromptCatalog>() is null)
        {
            await AdminApi.Fail(context, StatusCodes.Status404NotFound, "prompts are not part of this gateway (AddPrompts)").ConfigureAwait(false);
            return;
        }

        try
        {
            await handler(context).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the store throws (Redis down, timed out), the answer is the same 503.
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not BadHttpRequestException && !context.Response.HasStarted)
#pragma warning restore CA1031
        {
            await AdminApi.Fail(context, StatusCodes.Status503ServiceUnavailable, "the prompt store is unreachable; nothing was changed (templates already synced keep being served)").ConfigureAwait(false);
        }
    };

    private static Task ListAsync(HttpContext context)
    {
        if (context.RequestServices.GetService<PromptCatalog>() is not { } catalog)
        {
            return AdminApi.Fail(context, StatusCodes.Status404NotFound, "prompts are not part of this gateway (AddPrompts)");
        }

        var list = new PromptList([.. catalog.List().Select(View)], catalog.StoreName, catalog.LastSynced);
        return AdminApi.Write(context, list, PromptAdminJsonContext.Default.PromptList);
    }

    private static Task GetAsync(HttpContext context)
    {
        var name = Route(context, "name");
        return context.RequestServices.GetService<PromptCatalog>()?.Get(name) is { } listing
            ? AdminApi.Write(context, View(listing), PromptAdminJsonContext.Default.PromptView)
            : AdminApi.Fail(context, StatusCodes.Status404NotFound, $"no prompt '{name}'");
    }

    private static async Task PutAsync(HttpContext context)
    {
        var (template, where) = await ReadAsync(context, ManagedPromptJson.ReadTemplateAsync).ConfigureAwait(false);
        if (template is null)
        {
            await BadBody(context, where, TemplateShape).ConfigureAwait(false);
            return;
        }

        var catalog = context.RequestServices.GetRequiredService<PromptCatalog>();
        await Answer(context, await catalog.PutAsync(Route(context, "name"), template, context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static async Task AddVersionAsync(HttpContext context)
    {
        var (version, where) = await ReadAsync(context, ManagedPromptJson.ReadVersionAsync).ConfigureAwait(false);
        if (version is null)
        {
            await BadBody(context, where, "{\"version\": \"2\", \"model\": \"chat\", \"messages\": [{\"role\": \"user\", \"content\": \"...\"}], \"max_output_tokens\": 200}").ConfigureAwait(false);
            return;
        }

        var catalog = context.RequestServices.GetRequiredService<PromptCatalog>();
        await Answer(context, await catalog.AddVersionAsync(Route(context, "name"), version, context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static async Task SetLabelAsync(HttpContext context)
    {
        var (label, where) = await ReadAsync(context, ManagedPromptJson.ReadLabelAsync).ConfigureAwait(false);
        if (label is null)
        {
            await BadBody(context, where, "{\"version\": \"2\"} or {\"weights\": {\"1\": 90, \"2\": 10}, \"sticky\": \"key\"}").ConfigureAwait(false);
            return;
        }

        var catalog = context.RequestServices.GetRequiredService<PromptCatalog>();
        await Answer(context, await catalog.SetLabelAsync(Route(context, "name"), Route(context, "label"), label, context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(HttpContext context)
    {
        var catalog = context.RequestServices.GetRequiredService<PromptCatalog>();
        await Answer(context, await catalog.DeleteAsync(Route(context, "name"), context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static Task Answer(HttpContext context, PromptChange change)
    {
        var status = change.Outcome switch
        {
            PromptChangeOutcome.Created => StatusCodes.Status201Created,
            PromptChangeOutcome.Updated or PromptChangeOutcome.Deleted => StatusCodes.Status200OK,
            PromptChangeOutcome.NotFound => StatusCodes.Status404NotFound,
            PromptChangeOutcome.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };
        context.Response.StatusCode = status;
        if (change.Errors.Count > 0 || change.Prompt is null)
        {
            return AdminApi.Write(context, new PromptProblem(string.Join("; ", change.Errors), change.Errors), PromptAdminJsonContext.Default.PromptProblem);
        }

        var source = change.Outcome == PromptChangeOutcome.Deleted ? "deleted" : "admin";
        var view = new PromptView(change.Prompt.Template.Name, source, change.Outcome == PromptChangeOutcome.Deleted ? "deleted" : "active",
            change.Prompt.Revision, change.Prompt.UpdatedAt, null, change.Prompt.Template);
        return AdminApi.Write(context, view, PromptAdminJsonContext.Default.PromptView);
    }

    private static Task BadBody(HttpContext context, string? where, string shape) => AdminApi.Fail(
        context,
        StatusCodes.Status400BadRequest,
        (where is null ? string.Empty : $"{where}: not a known field, or not of its type; ") + "the body must be JSON: " + shape);

    // The body, or null and where it went wrong (e.g. versions[0].max_tokens, a typo that must not pass as absent).
    private static async Task<(T? Body, string? Where)> ReadAsync<T>(HttpContext context, Func<Stream, CancellationToken, ValueTask<T?>> read)
        where T : class
    {
        try
        {
            return (await read(context.Request.Body, context.RequestAborted).ConfigureAwait(false), null);
        }
        catch (JsonException ex)
        {
            return (null, ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null);
        }
    }

    private static string Route(HttpContext context, string key) => (string)context.Request.RouteValues[key]!;

    private static PromptView View(PromptListing listing) =>
        new(listing.Template.Name, listing.Source, listing.Status, listing.Revision, listing.UpdatedAt, listing.Problem, listing.Template);

    internal sealed record PromptView(string Name, string Source, string Status, long? Revision, DateTimeOffset? UpdatedAt, string? Problem, PromptTemplateOptions Template);

    internal sealed record PromptList(IReadOnlyList<PromptView> Prompts, string Store, DateTimeOffset? LastSynced);

    internal sealed record PromptProblem(string Error, IReadOnlyList<string> Errors);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PromptAdminApi.PromptList))]
[JsonSerializable(typeof(PromptAdminApi.PromptProblem))]
internal sealed partial class PromptAdminJsonContext : JsonSerializerContext;
