using System.Text.Json.Nodes;

namespace Mesh.Gateway.Providers.Wire;

/// <summary>The tool calls of a whole response body, guarded in place: each call's name and JSON arguments go to a guard that
/// returns the arguments to keep (possibly rewritten) or null to block the call. The codecs say where a schema's calls are.</summary>
internal static class ResponseToolCalls
{
    /// <summary>Guards the calls among <paramref name="items"/> (those <paramref name="read"/> recognises); a blocked one
    /// removes every call from the array. Returns whether something changed and whether a call was blocked.</summary>
    /// <param name="items">The array holding the calls (and other items, left alone unless a call is blocked).</param>
    /// <param name="read">For a call: its name, its arguments as JSON text and how to write new arguments back; null for another item.</param>
    /// <param name="guard">(name, arguments) to the arguments to keep, or null to block.</param>
    public static (bool Changed, bool Blocked) Guard(JsonArray? items, Func<JsonNode, (string Name, string Arguments, Action<string> Write)?> read, Func<string, string, string?> guard)
    {
        if (items is null)
        {
            return (false, false);
        }

        var changed = false;
        foreach (var item in items.ToList())
        {
            if (item is null || read(item) is not { } call)
            {
                continue;
            }

            var kept = guard(call.Name, call.Arguments);
            if (kept is null)
            {
                // The model's calls go as a whole: none is delivered when one is refused.
                foreach (var other in items.ToList())
                {
                    if (other is not null && read(other) is not null)
                    {
                        items.Remove(other);
                    }
                }

                return (true, true);
            }

            if (kept != call.Arguments)
            {
                call.Write(kept);
                changed = true;
            }
        }

        return (changed, false);
    }

    /// <summary>A string member of <paramref name="node"/>, or null.</summary>
    public static string? String(JsonNode? node, string name) =>
        node is JsonObject obj && obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
