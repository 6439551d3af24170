namespace Mesh.Gateway.Guardrails.Moderation;

/// <summary>The moderation categories, as used in configuration and in <see cref="GuardFinding.Type"/>.</summary>
public static class ModerationCategories
{
    public const string Hate = "hate";
    public const string Harassment = "harassment";
    public const string SelfHarm = "self_harm";
    public const string Sexual = "sexual";
    public const string Violence = "violence";

    /// <summary>Every category, in index order.</summary>
    public static IReadOnlyList<string> All { get; } = [Hate, Harassment, SelfHarm, Sexual, Violence];

    internal static int IndexOf(string category)
    {
        for (int k = 0; k < All.Count; k++)
        {
            if (string.Equals(All[k], category, StringComparison.Ordinal))
            {
                return k;
            }
        }

        return -1;
    }
}
