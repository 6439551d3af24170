namespace Mesh.Gateway.Core.Prompts;

/// <summary>A compiled label: the versions it splits between (one, for a plain label) with cumulative weights in (0, 1].</summary>
internal sealed record PromptLabel(string Name, IReadOnlyList<(PromptVersion Version, double UpTo)> Split, PromptSticky Sticky)
{
    public bool IsSplit => Split.Count > 1;
}
