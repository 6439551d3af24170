using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mesh.Gateway.Core.Telemetry;

/// <summary>The gateway's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named "Mesh.Gateway".</summary>
/// <remarks>Both are process-wide and thread-safe. Every component starts its spans and creates its instruments from these.</remarks>
public static class GatewayTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Mesh.Gateway";

    /// <summary>The source of every span the gateway starts.</summary>
    public static readonly ActivitySource ActivitySource = new(Name, typeof(GatewayTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The meter of every instrument the gateway records.</summary>
    public static readonly Meter Meter = new(Name, typeof(GatewayTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Tags a call's span with its token usage under the GenAI names (the cache and reasoning counts only when non-zero), the same on every door.</summary>
    public static void SetUsageTags(Activity activity, long inputTokens, long outputTokens, long cachedInputTokens, long cacheWriteInputTokens, long reasoningTokens)
    {
        ArgumentNullException.ThrowIfNull(activity);
        activity.SetTag(GenAiAttributes.UsageInputTokens, inputTokens);
        activity.SetTag(GenAiAttributes.UsageOutputTokens, outputTokens);
        if (cachedInputTokens > 0)
        {
            activity.SetTag(GenAiAttributes.UsageCacheReadInputTokens, cachedInputTokens);
        }

        if (cacheWriteInputTokens > 0)
        {
            activity.SetTag(GenAiAttributes.UsageCacheCreationInputTokens, cacheWriteInputTokens);
        }

        if (reasoningTokens > 0)
        {
            activity.SetTag(GenAiAttributes.UsageReasoningOutputTokens, reasoningTokens);
        }
    }
}
