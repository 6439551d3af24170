using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Routing;

/// <summary>The configured price of a target, per million tokens.</summary>
public sealed record TargetPrice(string Currency, decimal InputPerMillion, decimal CachedInputPerMillion, decimal OutputPerMillion)
{
    private const decimal Million = 1_000_000m;

    /// <summary>The price of <paramref name="usage"/>: cached input at the cached price, the rest of the input at the input price.</summary>
    public InferenceCost Price(ChatUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var cached = Math.Min(usage.CachedInputTokens, usage.InputTokens);
        var input = ((usage.InputTokens - cached) * InputPerMillion + cached * CachedInputPerMillion) / Million;
        var output = usage.OutputTokens * OutputPerMillion / Million;
        return new InferenceCost(Currency, input, output);
    }
}
