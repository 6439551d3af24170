using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.Gemini;

/// <summary>The Gemini generateContent schema (<c>:generateContent</c>, <c>:streamGenerateContent</c>).</summary>
/// <remarks>Request texts: <c>contents[].parts[].text</c> and <c>systemInstruction.parts[].text</c>. Stream: each event a
/// whole candidate; its text is the non-thought parts' texts (so no splice path: it may be spread over several parts), its
/// <c>finishReason</c> ends it; usage in <c>usageMetadata</c>.</remarks>
internal sealed class GeminiGenerateCodec : IWireCodec, IWireStreamCodec
{
    public static readonly GeminiGenerateCodec Instance = new();

    private GeminiGenerateCodec()
    {
    }

    public ApiSchema Schema => ApiSchema.GeminiGenerate;

    public IWireStreamCodec Stream => this;

    public void VisitRequestTexts(JsonNode root, Func<string, RequestTextKind, string> visit)
    {
        foreach (var c in RequestTexts.Items(root["contents"]))
        {
            RequestTexts.Parts(c, visit, RequestTexts.KindOfRole(RequestTexts.String(c, "role")));
        }

        RequestTexts.Parts(root["systemInstruction"] ?? root["system_instruction"], visit, RequestTextKind.System);
    }

    // A system text is a part of systemInstruction (created first in the body when absent); a user or model turn goes first
    // or last in contents[].
    public bool AddRequestMessage(JsonObject root, RequestTextKind kind, string text, bool append)
    {
        var part = new JsonObject { ["text"] = text };
        switch (kind)
        {
            case RequestTextKind.System:
                var field = root.ContainsKey("system_instruction") ? "system_instruction" : "systemInstruction";
                if (root[field] is null)
                {
                    root.Remove(field);
                    root.Insert(0, field, new JsonObject { ["parts"] = new JsonArray(part) });
                    return true;
                }

                return root[field] is JsonObject instruction && RequestTexts.AddItem(instruction, "parts", part, append);
            case RequestTextKind.Message or RequestTextKind.Assistant:
                var role = kind == RequestTextKind.Message ? "user" : "model";
                return root["contents"] is JsonArray && RequestTexts.AddItem(root, "contents", new JsonObject { ["role"] = role, ["parts"] = new JsonArray(part) }, append);
            default:
                return false;
        }
    }

    // candidates[].content.parts[].functionCall (args a JSON object); a blocked call ends the candidate with finishReason SAFETY.
    public (bool Changed, bool Blocked) GuardResponseToolCalls(JsonNode root, Func<string, string, string?> guard)
    {
        var (changed, blocked) = (false, false);
        foreach (var candidate in RequestTexts.Items(root["candidates"]))
        {
            var (c, b) = ResponseToolCalls.Guard(candidate?["content"]?["parts"] as JsonArray, static part =>
                part["functionCall"] is JsonObject call && ResponseToolCalls.String(call, "name") is { } name
                    ? (name, call["args"]?.ToJsonString() ?? "{}", args => call["args"] = JsonNode.Parse(args))
                    : null, guard);
            if (b && candidate is JsonObject obj)
            {
                obj["finishReason"] = Safety;
            }

            (changed, blocked) = (changed || c, blocked || b);
        }

        return (changed, blocked);
    }

    public void MarkContentFiltered(JsonNode root)
    {
        foreach (var candidate in RequestTexts.Items(root["candidates"]))
        {
            if (candidate is JsonObject obj)
            {
                obj["finishReason"] = Safety;
            }
        }
    }

    private const string Safety = "SAFETY";

    public IReadOnlyList<string> RequestToolNames(JsonNode root)
    {
        var names = new List<string>();
        foreach (var tool in RequestTexts.Items(root["tools"]))
        {
            names.AddRange(RequestTexts.ToolNames(tool?["functionDeclarations"] ?? tool?["function_declarations"]));
        }

        return names;
    }

    public (bool Requested, bool Forced) RequestStreamUsage(JsonObject root, bool force) => (false, false);

    public void ReadUsage(JsonElement root, UsageAccumulator usage) => ReadGeminiUsage(root, usage);

    /// <summary>Gemini usage: <c>usageMetadata</c>, cumulative on every event.</summary>
    internal static void ReadGeminiUsage(JsonElement root, UsageAccumulator usage)
    {
        if (WireJson.Obj(root, "usageMetadata") is { } g)
        {
            usage.Reported = true;
            if (WireJson.Int(g, "promptTokenCount") is { } prompt)
            {
                usage.InputTokens = InputTokens(prompt, WireJson.Int(g, "toolUsePromptTokenCount"));
            }

            usage.OutputTokens = OutputTokens(WireJson.Int(g, "candidatesTokenCount"), WireJson.Int(g, "thoughtsTokenCount"));
            usage.CachedInputTokens = WireJson.Int(g, "cachedContentTokenCount") ?? usage.CachedInputTokens;
            usage.ReasoningTokens = WireJson.Int(g, "thoughtsTokenCount") ?? usage.ReasoningTokens;
        }
    }

    /// <summary>Input in the gateway's convention: the prompt plus what tool use (search, code execution) added to it.</summary>
    internal static int InputTokens(int? prompt, int? toolUsePrompt) => (prompt ?? 0) + (toolUsePrompt ?? 0);

    /// <summary>Output in the gateway's convention: thoughts count as output (they are billed as output).</summary>
    internal static int OutputTokens(int? candidates, int? thoughts) => (candidates ?? 0) + (thoughts ?? 0);

    public byte[] RenderError(GatewayError error, int httpStatus) => GeminiErrorBody.Render(error, httpStatus);

    public byte[]? RenderResponse(Core.Chat.ChatResponse response, string model, DateTimeOffset created) => GeminiGenerateAnswer.Whole(response, model);

    public byte[]? RenderStream(IReadOnlyList<Core.Chat.ChatChunk> chunks, string model, DateTimeOffset created) => GeminiGenerateAnswer.Stream(chunks, model);

    public string? Delta(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object
            && root.TryGetProperty("candidates", out var cands) && cands.ValueKind == JsonValueKind.Array && cands.GetArrayLength() > 0
            && cands[0].TryGetProperty("content", out var gc) && gc.ValueKind == JsonValueKind.Object
            && gc.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
        {
            string? text = null;
            foreach (var part in parts.EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String
                    && !(part.TryGetProperty("thought", out var th) && th.ValueKind == JsonValueKind.True))
                {
                    text = text is null ? t.GetString() : text + t.GetString();
                }
            }

            return text;
        }

        return null;
    }

    public bool EndsText(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("candidates", out var gc) && gc.ValueKind == JsonValueKind.Array
        && gc.GetArrayLength() > 0 && gc[0].TryGetProperty("finishReason", out _);

    public bool EndsStream(JsonElement root) => EndsText(root);

    // The cut is announced at once with Gemini's content-filter signal, finishReason SAFETY; after it every candidate event
    // is dropped, the provider's own finish included (one finish reason per candidate).
    public bool AnnouncesCut => true;

    public bool KeepsAfterCut(JsonElement root, string? delta) => delta is null && !EndsText(root)
        && !(root.ValueKind == JsonValueKind.Object && root.TryGetProperty("candidates", out _));

    public void SetFinishReason(JsonNode root, string? reason)
    {
        if (root["candidates"] is JsonArray { Count: > 0 } cands && cands[0] is JsonObject cand)
        {
            cand["finishReason"] = SafetyReason(reason);
        }
    }

    private static string SafetyReason(string? reason) => reason is null or "content_filter" ? "SAFETY" : reason.ToUpperInvariant();

    public void PrepareSyntheticDelta(JsonObject copy)
    {
        if (copy["candidates"] is JsonArray { Count: > 0 } cands && cands[0] is JsonObject cand)
        {
            cand.Remove("finishReason");
        }

        copy.Remove("usageMetadata");
    }

    // A part holding a functionCall (Gemini sends a call whole, in one part).
    public string? StartsToolCall(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("candidates", out var cands) || cands.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var cand in cands.EnumerateArray())
        {
            if (cand.ValueKind == JsonValueKind.Object && cand.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Object
                && content.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in parts.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("functionCall", out var call) && call.ValueKind == JsonValueKind.Object
                        && call.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                    {
                        return name.GetString();
                    }
                }
            }
        }

        return null;
    }

    // Each functionCall part is a whole call: its name and its args object (as JSON text), numbered by its place in the event.
    public IReadOnlyList<ChatToolCallDelta> ToolCallPieces(JsonElement root)
    {
        List<ChatToolCallDelta>? pieces = null;
        foreach (var call in FunctionCalls(root))
        {
            pieces ??= [];
            pieces.Add(new ChatToolCallDelta
            {
                Index = pieces.Count,
                Id = call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
                Name = call.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
                ArgumentsFragment = call.TryGetProperty("args", out var args) ? args.GetRawText() : "{}",
            });
        }

        return (IReadOnlyList<ChatToolCallDelta>?)pieces ?? [];
    }

    public bool SendsWholeToolCalls => true;

    public bool RewriteToolCallArguments(JsonNode root, Func<int, bool, string?> arguments)
    {
        if (root["candidates"] is not JsonArray { Count: > 0 } cands || cands[0]?["content"]?["parts"] is not JsonArray parts)
        {
            return false;
        }

        var position = 0;
        var any = false;
        foreach (var part in parts)
        {
            if (part?["functionCall"] is JsonObject call)
            {
                any = true;
                if (arguments(position++, true) is { } text)
                {
                    call["args"] = JsonNode.Parse(text);
                }
            }
        }

        return any;
    }

    private static IEnumerable<JsonElement> FunctionCalls(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("candidates", out var cands) || cands.ValueKind != JsonValueKind.Array
            || cands.GetArrayLength() == 0 || WireJson.Obj(cands[0], "content") is not { } content
            || !content.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var part in parts.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("functionCall", out var call))
            {
                yield return call.ValueKind == JsonValueKind.Object ? call : throw new InvalidOperationException("A functionCall that is not an object.");
            }
        }
    }

    // The event goes on without its calls (and without its text: nothing follows a cut), ended with finishReason SAFETY; its
    // usage stays.
    public bool TryCutToolCall(JsonNode root, string? finishReason)
    {
        if (root["candidates"] is not JsonArray { Count: > 0 } cands || cands[0] is not JsonObject cand)
        {
            return false;
        }

        while (cands.Count > 1)
        {
            cands.RemoveAt(cands.Count - 1);
        }

        if (cand["content"] is JsonObject content)
        {
            content["parts"] = new JsonArray(new JsonObject { ["text"] = string.Empty });
        }

        cand["finishReason"] = SafetyReason(finishReason);
        return true;
    }

    public bool TryMakeCutEvent(JsonObject copy, string? finishReason)
    {
        if (!SetDelta(copy, string.Empty) || copy["candidates"] is not JsonArray { Count: > 0 } cands || cands[0] is not JsonObject cand)
        {
            return false;
        }

        cand["finishReason"] = SafetyReason(finishReason);
        copy.Remove("usageMetadata");
        return true;
    }

    public bool SetDelta(JsonNode root, string text)
    {
        if (root["candidates"] is not JsonArray { Count: > 0 } cands || cands[0] is not JsonObject cand)
        {
            return false;
        }

        if (cand["content"] is not JsonObject content)
        {
            content = new JsonObject { ["role"] = "model" };
            cand["content"] = content;
        }

        if (content["parts"] is not JsonArray parts)
        {
            parts = [];
            content["parts"] = parts;
        }

        var first = true;
        foreach (var part in parts)
        {
            if (part is JsonObject p && p["text"] is JsonValue && !IsThought(p))
            {
                p["text"] = first ? text : string.Empty;
                first = false;
            }
        }

        if (first)
        {
            parts.Add((JsonNode)new JsonObject { ["text"] = text });
        }

        return true;
    }

    private static bool IsThought(JsonObject part) => part["thought"] is JsonValue t && t.TryGetValue<bool>(out var b) && b;
}
