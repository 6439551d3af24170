namespace Mesh.Gateway.Guardrails.Moderation;

/// <summary>Per-category moderation scores of a text and the span of each category's strongest match (UTF-16).</summary>
internal sealed class ModerationAssessment
{
    internal double[] Scores { get; } = new double[ModerationCategories.All.Count];

    internal int[] Starts { get; } = new int[ModerationCategories.All.Count];

    internal int[] Ends { get; } = new int[ModerationCategories.All.Count];
}
