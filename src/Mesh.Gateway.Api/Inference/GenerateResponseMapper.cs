using Google.Protobuf.WellKnownTypes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.Api.Inference;

/// <summary>Maps Core results onto the proto responses.</summary>
internal static class GenerateResponseMapper
{
    public static GenerateResponse ToProto(ChatResponse response, InferenceContext context)
    {
        var proto = new GenerateResponse
        {
            Id = response.Id ?? string.Empty,
            Text = response.Text,
            FinishReason = ToProto(response.FinishReason),
            ProviderFinishReason = response.ProviderFinishReason ?? string.Empty,
            Usage = ToProto(context.Usage ?? response.Usage),
            Provider = context.ServedTarget?.Provider ?? response.Provider,
            ProviderModel = string.IsNullOrEmpty(response.Model) ? context.ServedTarget?.Model ?? string.Empty : response.Model,
            Reasoning = response.Reasoning ?? string.Empty,
            ReasoningSignature = response.ReasoningSignature ?? string.Empty,
            Attempts = context.Attempts,
        };
        foreach (var call in response.ToolCalls)
        {
            proto.ToolCalls.Add(new ToolCall { Id = call.Id, Name = call.Name, Arguments = call.ArgumentsJson });
        }

        foreach (var item in response.ProviderItems)
        {
            proto.ProviderItems.Add(ProtoJson.ToStruct(item));
        }

        foreach (var annotation in response.TextAnnotations)
        {
            proto.TextAnnotations.Add(ProtoJson.ToStruct(annotation));
        }

        if (context.Cost is { } cost)
        {
            proto.Cost = ToProto(cost);
        }

        if (context.TimeToFirstToken is { } ttft)
        {
            proto.TimeToFirstToken = Duration.FromTimeSpan(ttft);
        }

        return proto;
    }

    /// <summary>The output of a chunk (text, reasoning, tool call pieces), or null when it carries none.</summary>
    public static GenerateChunk? ToProtoDelta(ChatChunk chunk)
    {
        var hasText = !string.IsNullOrEmpty(chunk.TextDelta);
        var hasReasoning = !string.IsNullOrEmpty(chunk.ReasoningDelta) || chunk.ReasoningSignature is not null;
        if (!hasText && !hasReasoning && chunk.ToolCallDeltas.Count == 0 && chunk.ProviderItem is null && chunk.TextAnnotation is null)
        {
            return null;
        }

        var proto = new GenerateChunk
        {
            Text = chunk.TextDelta ?? string.Empty,
            Reasoning = chunk.ReasoningDelta ?? string.Empty,
            ReasoningSignature = chunk.ReasoningSignature ?? string.Empty,
            ProviderItem = chunk.ProviderItem is { } item ? ProtoJson.ToStruct(item) : null,
            TextAnnotation = chunk.TextAnnotation is { } annotation ? ProtoJson.ToStruct(annotation) : null,
        };
        foreach (var delta in chunk.ToolCallDeltas)
        {
            proto.ToolCalls.Add(new ToolCallDelta
            {
                Index = delta.Index,
                Id = delta.Id ?? string.Empty,
                Name = delta.Name ?? string.Empty,
                Arguments = delta.ArgumentsFragment ?? string.Empty,
            });
        }

        return proto;
    }

    public static FinishReason ToProto(ChatFinishReason reason) => reason switch
    {
        ChatFinishReason.Stop => FinishReason.Stop,
        ChatFinishReason.Length => FinishReason.Length,
        ChatFinishReason.ToolCalls => FinishReason.ToolCalls,
        ChatFinishReason.ContentFilter => FinishReason.ContentFilter,
        _ => FinishReason.Other,
    };

    public static V1.Usage ToProto(ChatUsage usage) => new()
    {
        InputTokens = usage.InputTokens,
        OutputTokens = usage.OutputTokens,
        CachedInputTokens = usage.CachedInputTokens,
        CacheCreationInputTokens = usage.CacheWriteInputTokens,
        ReasoningTokens = usage.ReasoningTokens,
        TotalTokens = usage.TotalTokens,
    };

    public static Cost ToProto(InferenceCost cost) => new()
    {
        Currency = cost.Currency,
        Input = (double)cost.Input,
        Output = (double)cost.Output,
        Total = (double)cost.Total,
    };
}
