using Mesh.Gateway.Guardrails.Internal.Prefilter;

namespace Mesh.Gateway.Guardrails.Moderation;

/// <summary>
/// The prefilter words of <see cref="ModerationLexicon.Rules"/> (tier = rule index) and of the co-occurrence rules: for each,
/// words of which every match contains one at a word start, with how many tokens a match reaches before and after it. Keep in
/// step with the patterns: ModerationScorerTests compares prefiltered scores with whole-text scans on every evaluation text.
/// </summary>
internal static class ModerationTriggers
{
    /// <summary>Every match of <see cref="ModerationLexicon.Identity"/> (at most 4 tokens, 3 of them before the word) has one of these at a word start.</summary>
    internal const string IdentityWords =
        "women|woman|girls|females|wives|transgender|trans=|gay|lesbian|homosexual|queer|bisexual|bi=|lgbt|black|african|muslim|islam|jews|jewish" +
        "|immigrant|refugee|migrant|foreigner|mexican|latin|hispanic|asian|chinese|arab|easterner|native|indians|disabled|disabilities|mentally|physically" +
        "|autistic|handicapped|wheelchair|jew|blind|deaf|mental|physical|gyps|roma=|eastern|disabilit|illness|autism";

    /// <summary>The tier of the group-plus-hostility co-occurrence rule.</summary>
    internal static int IdentityTier => ModerationLexicon.Rules.Length;

    /// <summary>The tier of the violent-verb-plus-intent co-occurrence rule (its hits are used directly, not windows).</summary>
    internal static int ViolentTier => ModerationLexicon.Rules.Length + 1;

    /// <summary>The violent words of the co-occurrence rule (matched at a word start).</summary>
    internal const string ViolentWords =
        "kill|murder|shoot|stab|slit|hang|lynch|beat|burn|bomb|slaughter|massacre|exterminat|gas |torture|strangle|drown|behead|butcher|execute|punch|hurt|cut your|rape";

    internal static IEnumerable<Trigger> All() =>
    [
        // Hate (rules 0-6): a group (up to 2 tokens either side of its trigger word: "people with disabilities", "mentally ill people").
        .. Trigger.For(0, 9, 3, IdentityWords),   // "we absolutely are disgusted by those <group>"
        .. Trigger.For(1, 3, 10, IdentityWords),   // "<group> are no better than a <negative>"
        .. Trigger.For(2, 3, 9, IdentityWords),   // "<group> deserve to all be wiped out"
        .. Trigger.For(3, 7, 3, IdentityWords),   // "get rid of all <group>"
        .. Trigger.For(4, 1, 0,
            "nigg|n1gg|n!gg|fag|f@g|dyke|trann|tr@nn|kike|k1ke|spic|sp1c|chink|ch1nk|gook|g0ok|go0k|g00k|wetback|towelhead|raghead|sandn|retard|r3tard" +
            "|cripple|spaz|mong=|mongs=|beaner|coon|pakis=|paks="),
        .. Trigger.For(5, 5, 3, IdentityWords),   // "fucking <group>"
        .. Trigger.For(6, 5, 4, IdentityWords),   // "no more <group> allowed"

        // Harassment: "you're such a <insult>" (at most 4 fillers), "shut the fuck up", "i hope you die", "kill yourself".
        .. Trigger.For(7, 10, 2, "worthless|pathetic|idiot|moron|stupid|loser|ugly|disgusting|dumb|retard|bitch|slut|whore|cunt|failure"),
        .. Trigger.For(7, 10, 2, "piece|waste", next: "of"),
        .. Trigger.For(8, 3, 3, "fuck|shut|die=|kys=|yourself|nobody|suffer|hurt"),

        // Self-harm.
        .. Trigger.For(9, 4, 2, "myself|life|suicid|self|die=|live=|alive|overdose"),

        // Sexual ("blow job", "hand job", "handjob").
        .. Trigger.For(10, 1, 2, "porn|xxx|nsfw|erotic|orgasm|blow|handjob|job|genital|penis|vagina|clit|dildo|masturbat|nude|naked|sex"),

        // Violence.
        .. Trigger.For(11, 4, 0, "kill|murder|shoot|stab|hurt|beat|strangle|slaughter|behead|torture|burn|bomb|attack|rape"),
        .. Trigger.For(12, 0, 1, "kill|murder|shoot|stab|behead|slaughter|execute|hang|lynch|torture|rape|massacre|exterminate|gas="),
        .. Trigger.For(13, 3, 0, "shot|killed|hanged|hung|executed|lynched|beaten|burned|gassed|exterminated|murdered|tortured|die="),
        .. Trigger.For(14, 3, 1, "bomb|explosive|shooting|terrorist"),

        .. Trigger.For(15, 3, 6, IdentityWords),  // "<group> are not welcome"
        .. Trigger.For(16, 5, 3, IdentityWords),  // "death to <group>"

        // Co-occurrence.
        .. Trigger.For(IdentityTier, 3, 3, IdentityWords),
        .. Trigger.For(ViolentTier, 0, 0, ViolentWords),
    ];
}
