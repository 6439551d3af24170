using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>The JSON of prompt templates, in the YAML's key names (<c>max_output_tokens</c>, <c>from_label</c>), source-generated;
/// an unknown key is an error, so a misspelt field in an admin API body never passes as absent.</summary>
public static class ManagedPromptJson
{
    /// <summary>A stored template as JSON.</summary>
    public static string Serialize(ManagedPrompt prompt) => JsonSerializer.Serialize(prompt, PromptJsonContext.Default.ManagedPrompt);

    /// <summary>A stored template from JSON (null for a JSON <c>null</c>).</summary>
    public static ManagedPrompt? Deserialize(string json) =>
        JsonSerializer.Deserialize(json, PromptJsonContext.Default.ManagedPrompt) is { } prompt ? prompt with { Template = Normalize(prompt.Template) } : null;

    /// <summary>A template from an admin API body; throws <see cref="JsonException"/> whose <c>Path</c> names the bad field.</summary>
    public static async ValueTask<PromptTemplateOptions?> ReadTemplateAsync(Stream body, CancellationToken cancellationToken) =>
        await JsonSerializer.DeserializeAsync(body, PromptJsonContext.Default.PromptTemplateOptions, cancellationToken).ConfigureAwait(false) is { } template
            ? Normalize(template)
            : null;

    /// <summary>A version from an admin API body.</summary>
    public static async ValueTask<PromptVersionOptions?> ReadVersionAsync(Stream body, CancellationToken cancellationToken) =>
        await JsonSerializer.DeserializeAsync(body, PromptJsonContext.Default.PromptVersionOptions, cancellationToken).ConfigureAwait(false) is { } version
            ? Normalize(version)
            : null;

    /// <summary>A label from an admin API body (<c>{"version": "2"}</c> or <c>{"weights": {...}, "sticky": "key"}</c>).</summary>
    public static async ValueTask<PromptLabelOptions?> ReadLabelAsync(Stream body, CancellationToken cancellationToken) =>
        await JsonSerializer.DeserializeAsync(body, PromptJsonContext.Default.PromptLabelOptions, cancellationToken).ConfigureAwait(false) is { } label
            ? Normalize(label)
            : null;

    // The source generator sets every init-only property a body leaves out to null, past the options' own defaults (the YAML
    // binder keeps them): put the defaults back, so an absent key means what it means in the YAML.
    private static PromptTemplateOptions Normalize(PromptTemplateOptions t) => t with
    {
        Name = t.Name ?? string.Empty,
        Variables = t.Variables is null ? [] : [.. t.Variables.Select(static v => v with { Name = v.Name ?? string.Empty, Type = v.Type ?? "string", Values = v.Values ?? [] })],
        Versions = t.Versions is null ? [] : [.. t.Versions.Select(Normalize)],
        Labels = t.Labels is null ? new Dictionary<string, PromptLabelOptions>() : t.Labels.ToDictionary(static l => l.Key, static l => Normalize(l.Value), StringComparer.Ordinal),
    };

    private static PromptVersionOptions Normalize(PromptVersionOptions v) => v with
    {
        Version = v.Version ?? string.Empty,
        Model = v.Model ?? string.Empty,
        Messages = v.Messages is null ? [] : [.. v.Messages.Select(static m => m with { Role = m.Role ?? "user", Content = m.Content ?? string.Empty })],
    };

    private static PromptLabelOptions Normalize(PromptLabelOptions l) => l with { Weights = l.Weights ?? new Dictionary<string, double>() };

    /// <summary>Writes a template as the admin API shows it.</summary>
    public static Task WriteTemplateAsync(Stream body, PromptTemplateOptions template, CancellationToken cancellationToken) =>
        JsonSerializer.SerializeAsync(body, template, PromptJsonContext.Default.PromptTemplateOptions, cancellationToken);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ManagedPrompt))]
internal sealed partial class PromptJsonContext : JsonSerializerContext;
