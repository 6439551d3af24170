using System.Buffers;
using System.Text;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Guardrails.Pipeline;

/// <summary>Guards one tool call: its name against the policy's allow-list, its JSON arguments value by value (each string and
/// number is inspected on its own and rewritten in place, so redacted arguments stay valid JSON for the tool).</summary>
/// <remarks>Arguments the model produced are inspected as output (redacted, placeholders restored, a moderation finding blocks);
/// arguments of earlier calls sent back as input are inspected as input. Arguments that are not JSON are inspected as one text
/// and only blocked, never rewritten.</remarks>
public static class ToolCallGuard
{
    /// <summary>The finding type of a tool the policy does not allow.</summary>
    public const string NotAllowed = "tool_not_allowed";

    /// <summary>The guarded call, or a block with its finding type.</summary>
    public static (ChatToolCall Call, string? Blocked) Inspect(IGuardrailEngine engine, GuardPolicy policy, GuardTokenVault? vault, ChatToolCall call, GuardDirection direction)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(call);
        if (!policy.Tools.IsAllowed(call.Name))
        {
            return (call, NotAllowed);
        }

        if (!policy.Tools.ScanArguments || string.IsNullOrEmpty(call.ArgumentsJson))
        {
            return (call, null);
        }

        var (arguments, blocked) = InspectArguments(engine, policy, vault, call.ArgumentsJson, direction);
        return blocked is not null ? (call, blocked) : (ReferenceEquals(arguments, call.ArgumentsJson) ? call : call with { ArgumentsJson = arguments }, null);
    }

    /// <summary>The arguments with every string and number value guarded, or a block with its finding type.</summary>
    internal static (string Arguments, string? Blocked) InspectArguments(IGuardrailEngine engine, GuardPolicy policy, GuardTokenVault? vault, string arguments, GuardDirection direction)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(arguments);
        }
        catch (JsonException)
        {
            var (_, blocked) = Text(engine, policy, vault, arguments, direction);
            return (arguments, blocked);
        }

        using (document)
        {
            var buffer = new ArrayBufferWriter<byte>(arguments.Length + 16);
            var changed = false;
            using (var writer = new Utf8JsonWriter(buffer))
            {
                if (Write(engine, policy, vault, direction, document.RootElement, writer, ref changed) is { } blocked)
                {
                    return (arguments, blocked);
                }
            }

            return changed ? (Encoding.UTF8.GetString(buffer.WrittenSpan), null) : (arguments, null);
        }
    }

    private static string? Write(IGuardrailEngine engine, GuardPolicy policy, GuardTokenVault? vault, GuardDirection direction, JsonElement element, Utf8JsonWriter writer, ref bool changed)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    if (Write(engine, policy, vault, direction, property.Value, writer, ref changed) is { } blocked)
                    {
                        return blocked;
                    }
                }

                writer.WriteEndObject();
                return null;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    if (Write(engine, policy, vault, direction, item, writer, ref changed) is { } blocked)
                    {
                        return blocked;
                    }
                }

                writer.WriteEndArray();
                return null;
            case JsonValueKind.String:
            case JsonValueKind.Number:
            {
                var raw = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
                var (text, blocked) = Text(engine, policy, vault, raw, direction);
                if (blocked is not null)
                {
                    return blocked;
                }

                if (element.ValueKind == JsonValueKind.Number && text == raw)
                {
                    element.WriteTo(writer);
                }
                else
                {
                    // A redacted number becomes a string: its placeholder is not a number.
                    writer.WriteStringValue(text);
                    changed |= text != raw || element.ValueKind == JsonValueKind.Number;
                }

                return null;
            }

            default:
                element.WriteTo(writer);
                return null;
        }
    }

    private static (string Text, string? Blocked) Text(IGuardrailEngine engine, GuardPolicy policy, GuardTokenVault? vault, string text, GuardDirection direction)
    {
        if (direction == GuardDirection.Output)
        {
            var output = WholeOutputGuard.Inspect(engine, policy, vault, text);
            return output.Stopped ? (text, output.StopReason ?? "content_filter") : (output.Text, null);
        }

        var result = engine.Inspect(text, direction, policy, vault);
        return result.Verdict == GuardVerdict.Block ? (text, result.BlockReason) : (result.RedactedText, null);
    }
}
