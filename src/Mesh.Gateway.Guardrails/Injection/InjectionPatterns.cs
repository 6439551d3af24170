namespace Mesh.Gateway.Guardrails.Injection;

/// <summary>
/// The weighted pattern tiers of <see cref="InjectionScorer"/>. Every pattern is a bounded alternation (no nested unbounded
/// repetition) compiled for the non-backtracking engine, so matching stays linear in the text.
/// </summary>
internal static class InjectionPatterns
{
    private const string Prior = @"(previous|prior|above|preceding|earlier|initial|original|existing|old|all|any|your|the|my|these|those|system)";
    private const string Rules = @"(instructions?|commands?|inputs?|prompts?|directives?|directions?|rules|guidelines|programming|training|restrictions|orders|context|messages?|polic(y|ies)|constraints|filters?)";

    /// <summary>Overrides, named jailbreak personas, safety bypass, system-prompt extraction.</summary>
    internal const string Tier1 =
        @"\b(ignore|disregard|forget|skip|override|bypass|discard|drop|abandon)\s+(all\s+|any\s+|of\s+|the\s+|your\s+|my\s+|everything\s+)?(of\s+)?(the\s+|your\s+)?" + Prior + @"?\s*" + Rules +
        @"|\bdo\s+anything\s+now\b|\b(developer|dev|god|evil|opposite|jailbreak|jailbroken|unrestricted|dan)\s+mode\b|\bjail\s?-?brok(e|en)\b|\bjailbreak" +
        @"|\b(bypass|override|circumvent|disable|ignore|turn\s+off|break\s+free\s+of|broken\s+free\s+of|break\s+(through|out\s+of))\s+(the\s+|any\s+|all\s+|your\s+|its\s+|their\s+|openai'?s?\s+)?(content\s+)?(filters?|safety|restrictions?|censorship|guidelines|polic(y|ies)|rules|limitations|confines|programming|moderation)" +
        @"|\b(no|without|free\s+of|free\s+from)\s+(any\s+)?(ethical|moral|content)\s+(guidelines|restrictions|filters?|polic(y|ies)|constraints|boundaries|principles|compass|limits)" +
        @"|\b(reveal|show|print|output|repeat|display|tell\s+me|give\s+me|share|write\s+out|spell\s+out|recite)\s+(me\s+)?(your|the)\s+(full\s+|entire\s+|complete\s+|exact\s+)?(system\s+(prompt|message|instructions)|initial\s+(prompt|instructions)|hidden\s+(prompt|instructions)|original\s+(prompt|instructions)|secret\s+(prompt|instructions)|instructions)" +
        @"|\brepeat\s+(the\s+|all\s+)?(words|text|everything|instructions)\s+(above|before|you\s+were\s+given)" +
        @"|\b(output|print|repeat)\s+(the\s+|all\s+)?(text|words|everything)\s+above\b|\bwhat\s+(are|were|is)\s+your\s+(initial|original|system|first|hidden)\s+(instructions|prompt)" +
        @"|\bwhat\s+were\s+you\s+told\s+before\b|\bbeginning\s+of\s+(this|our|the)\s+conversation\b" +
        @"|\b(never|don'?t|do\s+not|won'?t|will\s+not|cannot|can'?t|must\s+not)\s+(ever\s+)?refuse\b|\bnever\s+refuses\b" +
        @"|\b(not\s+bound\s+by|does\s+not\s+(follow|abide|adhere)|doesn'?t\s+(follow|abide|adhere|care\s+about)|do\s+not\s+have\s+to\s+(follow|abide))\b";

    /// <summary>Persona and role-play set-ups, harmful-compliance demands, dual-response formats.</summary>
    internal const string Tier2 =
        @"\b(unfiltered|unfiltred|uncensored|unrestricted|unrestrained|amoral|unethical|immoral|unbound|unchained|unlocked)\b" +
        @"|\bstay\s+in\s+(character|role|persona)\b|\bbreak(ing)?\s+character\b|\bout\s+of\s+character\b" +
        @"|\b(openai|anthropic|content|usage)\s+(content\s+)?polic(y|ies)\b|\bwithout\s+(any\s+)?(warnings?|disclaimers?|restrictions|censorship|filters?|limitations|hesitation)\b" +
        @"|\b(can|will|must)\s+(do|say|answer|generate|write)\s+anything\b|\bno\s+(restrictions|limits|limitations|boundaries|filters?|censorship|rules|morals|ethics)\b" +
        @"|\b(illegal|harmful|explicit|offensive|inappropriate|dangerous|malicious|unethical)\s+(content|requests?|activities|things|material|questions)\b" +
        @"|\b(two|2|dual|both|separate)\s+(different\s+|separate\s+)?(responses|answers|paragraphs|replies)\b" +
        @"|\bas\s+an\s+ai\s+language\s+model\b|\b(immerse|embody)\s+yourself\b|\byou\s+are\s+(now\s+)?(free|freed|liberated)\b" +
        @"|\b(you\s+are|you're)\s+(now|going\s+to|about\s+to)\s+(be|become|act|play|pretend|roleplay|simulate|impersonate)\b" +
        @"|\bfrom\s+(now|here)\s+on\b|\bnew\s+(instructions|rules|persona|identity)\b|\byou\s+are\s+no\s+longer\b" +
        @"|\b(prefix|start|begin)\s+(your|each|every|all)\s+(of\s+your\s+)?(responses?|answers?|replies|messages?|outputs?)\s+with\b";

    /// <summary>Role-play and framing words that are common in jailbreaks but also in ordinary prompts.</summary>
    internal const string Tier3 =
        @"\b(pretend|pretending)\s+(to\s+be|you\s+are|that\s+you)\b|\b(act|acting|behave|respond|function)\s+(like|as)\s+(a|an|if|my|the)\b|\brole\s?-?play" +
        @"|\bimagine\s+(you\s+are|that\s+you)\b|\b(simulate|emulate|impersonate)\b|\bhypothetical(ly)?\b|\bfictional\s+(world|story|scenario|character)\b" +
        @"|\b(morals?|ethics|ethical|legality|legal)\b|\bcensor(ed|ship)?\b|\bpersona\b|\bcharacter\b|\bopenai\b|\bchatgpt\b|\bsystem\s+prompt\b";

    /// <summary>Acronyms of well-known jailbreak personas, matched case-sensitively.</summary>
    internal const string Personas = @"\b(DAN|STAN|DUDE|AIM|ANTI-DAN|BetterDAN|DevMode|UCAR|KEVIN|APOPHIS|BasedGPT|EvilBOT|NSFWGPT)\b";

    /// <summary>Retrieved content speaking to the model: instructions about "your response".</summary>
    internal const string IndirectStrong =
        @"\b(in|to|into|within|throughout|with|from|of|for|on)\s+your\s+(response|answer|reply|output|summary|responses|answers|replies)\b" +
        @"|\byour\s+(response|answer|reply|output)\s+(should|must|will|needs|is\s+to)\b" +
        @"|\b(modify|enhance|change|adjust|alter|format|end|begin|start|conclude|finish|close|translate|rewrite|make|keep|structure|embed|append|prepend|use|write|tailor|frame|phrase)\s+(each\s+|every\s+|all\s+(of\s+)?)?your\s+(response|answer|reply|output|responses|answers|replies)\b" +
        @"|\b(when|if|while)\s+(you|the\s+ai|the\s+assistant|an\s+ai|the\s+model)\s+(summari[sz]e|read|process|answer|respond|reply)" +
        @"|\b(ai|assistant|chatbot|language\s+model|llm)\s*(,|:)\s*(please\s+)?(ignore|write|respond|reply|answer|include|add|say)\b";

    /// <summary>Retrieved content that asks for a task, in the voice of a user addressing an assistant (a sentence that opens with a task verb).</summary>
    internal const string IndirectTask =
        @"(^|[\n.!?:]\s*)(please\s+)?(write|provide|explain|analy[sz]e|summari[sz]e|recommend|suggest|translate|compose|describe|draft|classify|calculate|compare|outline|rewrite|misspell|rearrange|introduce|encourage|generate|create|list|modify|enhance|develop|break\s+down|integrate|mention|incorporate|embed|append|prepend|express|conclude|convert|encode|decode|reverse|substitute|replace\s+(letters|words|all)|use\s+(a|an|the|numbers|symbols|emojis|only)|remove\s+(all\s+)?(spaces|vowels)|respond|reply\s+(in|with|only)|answer\s+(in|with|only))\s+\S+\s+\S+";

    /// <summary>Retrieved content that asks a question of the reader as an assistant would be asked.</summary>
    internal const string IndirectQuestion =
        @"(^|[\n.!?:]\s*)((what|how|why|who|which|when|where)('s|\s+(is|are|was|were|do|does|did|can|could|should|would|to|wrote|invented|discovered|painted))\s+[^\n?]{3,160}\?|(can|could|would|will)\s+you\s+(please\s+)?(help|tell|show|explain|give|provide|write|list|suggest|recommend|classify|use|reply|respond|translate|summari[sz]e|describe))";

    /// <summary>Attempts to read the model's own configuration.</summary>
    internal const string Extraction =
        @"\b(system[\s_-]?prompt|system\s+(instructions|message|configuration)|(starting|initial|original|hidden|secret|first)\s+(instructions|configuration|prompt)|(text|instructions|words)\s+you\s+were\s+given|(the\s+)?above\s+text|(the\s+)?text\s+above|(everything|all)\s+(written\s+)?above)";

    /// <summary>Persona assignment and control of the model's behaviour.</summary>
    internal const string Persona =
        @"\byou\s+are\s+now\b|\byou\s+are\s+to\s+(act|be|play|pretend|respond|answer|behave)\b|\b(take\s+on|assume|play|adopt|step\s+into)\s+the\s+(role|persona)\b|\bi\s+want\s+you\s+to\s+(act|pretend|be|simulate|play|behave|respond|answer|become|forget|ignore)\b" +
        @"|\blet'?s\s+play\s+a\s+game\b|\bforget\s+everything\b|\byou\s+will\s+(now\s+)?(respond|reply|answer|act|only|always|never)\b|\bfrom\s+this\s+(moment|point)\b" +
        @"|\b(do\s+not|don'?t|never)\s+(add|include|write|give|provide)\s+(any\s+)?(commentary|explanations?|warnings?|disclaimers?)" +
        @"|\byour\s+(new\s+)?name\s+is\b|\bremember\s+(that\s+)?you\s+are\b|\b(racist|vulgar|nsfw|porn\w*|obscene)\b";
}
