namespace Mesh.Gateway.Guardrails.Injection;

/// <summary>The pattern tiers of <see cref="InjectionScorer"/>. Every pattern is bounded (no nested unbounded repetition) and runs on the non-backtracking engine.</summary>
internal static class InjectionPatterns
{
    internal const string Strong =
        @"\b(ignore|disregard|forget|skip|override|bypass)\s+(all\s+|any\s+|the\s+|your\s+|my\s+|of\s+)*(previous|prior|above|preceding|earlier|initial|original|system)\s+(instructions?|prompts?|directions?|rules|guidelines|context|messages?)" +
        @"|\byou\s+are\s+(now\s+)?(DAN|STAN|DUDE|AIM|in\s+developer\s+mode)\b" +
        @"|\bdo\s+anything\s+now\b|\bdeveloper\s+mode\b|\bjail\s?break" +
        @"|\b(reveal|show|print|output|repeat|display|tell\s+me)\s+(me\s+)?(your|the)\s+(system\s+prompt|initial\s+(prompt|instructions)|hidden\s+(prompt|instructions)|instructions\s+above)" +
        @"|\brepeat\s+(the\s+|all\s+)?(words|text|everything)\s+above\b" +
        @"|\bno\s+(ethical|moral|content)\s+(guidelines|restrictions|filters|polic(y|ies))" +
        @"|\bwithout\s+(any\s+)?(restrictions|filters|censorship|limitations)\b|\bunfiltered\b|\buncensored\b";

    internal const string Medium =
        @"\bpretend\s+(to\s+be|you\s+are|that\s+you)\b|\bact\s+as\s+(a|an|if)\b|\brole\s?-?play\b|\bstay\s+in\s+character\b" +
        @"|\bfrom\s+now\s+on\b|\byou\s+are\s+no\s+longer\b|\bimagine\s+you\s+are\b|\bnew\s+instructions\b|\bsimulate\b";

    internal const string Weak =
        @"\binstructions\b|\bsystem\s+prompt\b|\bcontent\s+polic(y|ies)\b|\bopenai\b|\bnever\s+refuse\b|\balways\s+answer\b";
}
