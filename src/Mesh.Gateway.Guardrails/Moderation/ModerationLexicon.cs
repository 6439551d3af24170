namespace Mesh.Gateway.Guardrails.Moderation;

/// <summary>The local moderation rules per category and weight tier. Patterns are bounded alternations for the non-backtracking engine.</summary>
internal static class ModerationLexicon
{
    internal static readonly (string Category, string Pattern, double Weight)[] Rules =
    [
        (ModerationCategories.Violence, @"\b(kill|murder|stab|shoot|behead|slaughter)\s+(them|him|her|you|all|every)\b", 0.8),
        (ModerationCategories.SelfHarm, @"\b(kill\s+myself|end\s+my\s+life|suicide|self[-\s]?harm|cut\s+myself)\b", 0.8),
        (ModerationCategories.Sexual, @"\b(porn|explicit\s+sex|nude\s+photos)\b", 0.6),
        (ModerationCategories.Harassment, @"\b(you\s+are\s+(an?\s+)?(idiot|moron|worthless|pathetic))\b", 0.7),
        (ModerationCategories.Hate, @"\b(should\s+(all\s+)?be\s+(exterminated|deported|killed|wiped\s+out))\b", 0.8),
    ];
}
