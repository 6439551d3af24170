namespace Mesh.Gateway.Guardrails.Moderation;

/// <summary>
/// The local moderation rules per category and weight. Patterns are bounded alternations for the non-backtracking engine.
/// Several contain slurs and threats by necessity: they are what the rules must recognise.
/// </summary>
internal static class ModerationLexicon
{
    /// <summary>Groups protected against hate speech (and common plural or adjective forms).</summary>
    internal const string Identity =
        @"(women|woman|girls|females|wives|trans(gender)?(\s+(people|women|men|persons|folks))?|gays?|gay\s+(people|men|women)|lesbians?|homosexuals?|queers?|bisexuals?|bi\s+people|lgbt\w*" +
        @"|black\s+(people|men|women|folks)|blacks|africans?|african\s+americans|muslims?|islam|jews?|jewish\s+people|immigrants?|refugees?|migrants?|foreigners|mexicans?|latinos?|latinas?|latinx|hispanics?" +
        @"|asians?|asian\s+(people|americans)|chinese(\s+people)?|arabs?|middle\s+easterners?|native\s+americans?|natives|indians|disabled\s+people|the\s+disabled|people\s+with\s+disabilities" +
        @"|(mentally|physically)\s+(ill|disabled|handicapped)(\s+people)?|autistic\s+people|handicapped\s+people|wheelchair\s+users" +
        @"|(black|disabled|jewish|native|blind|deaf|autistic|handicapped|middle\s+eastern)\s+(person|persons|man|men|woman|women|guys?|folks?|people|kids|children|lives)" +
        @"|the\s+(blind|deaf)|(mental|physical)(ly)?\s+(ill|illness(es)?|disabled|disabilit(y|ies)|handicapped)" +
        @"|(people|those|someone|anyone|person)\s+with\s+(a\s+)?(mental\s+|physical\s+)?(disabilit(y|ies)|illness(es)?|autism)|gypsies|roma)";

    private const string Slurs =
        @"(n[i1!]gg(er|a|ah|az|ers|as)s?|f[a@]gg?[o0]ts?|f[a@]gs|dykes?|tr[a@]nn(y|ies)|k[i1]kes?|sp[i1]cs?|ch[i1]nks?|g[o0]{2}ks?|wetbacks?|towelheads?|raghead\w*|sand\s?n[i1]gg\w+|retards?|r[e3]tarded|cripples|spazz?(es)?|mongs?|beaners?|coons?|paki?s)";

    private const string Negative =
        @"(disgusting|worthless|pathetic|vile|filthy|dirty|stupid|dumb|inferior|evil|subhuman|sub-human|animals|vermin|rats|cockroaches|parasites|pests|scum|trash|garbage|filth|a\s+plague|a\s+cancer|a\s+disease" +
        @"|diseased|savages|primitive|lazy|criminals|terrorists|rapists|thieves|useless|a\s+burden|a\s+waste|ugly|gross|repulsive|abhorrent|dangerous|a\s+threat|the\s+worst|pigs|apes|monkeys|dogs|mentally\s+ill|freaks|perverts|sick" +
        @"|dishonest|ignorant|liars|greedy|incompetent|untrustworthy|lesser(\s+beings)?|menaces?|a\s+menace|brutes|moochers|leeches|a\s+drain|a\s+pest|pests|despicable|repugnant|revolting|sickening|uncivili[sz]ed|barbaric|barbarians)";

    private const string Harm =
        @"(die|be\s+killed|be\s+shot|be\s+hanged|be\s+hung|be\s+exterminated|be\s+gassed|be\s+wiped\s+out|be\s+deported|be\s+removed|be\s+locked\s+up|be\s+eradicated|be\s+put\s+down|be\s+beaten|be\s+burned|be\s+executed|be\s+sterili[sz]ed|be\s+banned|not\s+exist|disappear|go\s+back)";

    internal static readonly (string Category, string Pattern, double Weight)[] Rules =
    [
        // Hate: a protected group with hostility.
        (ModerationCategories.Hate, @"\b(i|we)\s+(really\s+|just\s+|absolutely\s+|fucking\s+|truly\s+)?(hate|despise|detest|loathe|can'?t\s+stand|am\s+disgusted\s+by|are\s+disgusted\s+by)\s+(all\s+|every\s+|those\s+|these\s+)?" + Identity + @"\b", 0.8),
        (ModerationCategories.Hate, @"\b" + Identity + @"\s+(are|is)\s+(all\s+|just\s+|nothing\s+but\s+|such\s+|so\s+|the\s+most\s+|complete\s+|absolute\s+|a\s+bunch\s+of\s+|no\s+better\s+than\s+)?(a\s+|an\s+)?" + Negative + @"\b", 0.75),
        (ModerationCategories.Hate, @"\b" + Identity + @"\s+(should|must|need\s+to|deserve\s+to|ought\s+to|have\s+to)\s+(all\s+)?" + Harm + @"\b", 0.85),
        (ModerationCategories.Hate, @"\b(kill|murder|shoot|hang|exterminate|gas|eradicate|slaughter|hurt|beat\s+up|get\s+rid\s+of|deport)\s+(all\s+|every\s+|the\s+|those\s+)?" + Identity + @"\b", 0.8),
        (ModerationCategories.Hate, @"\b" + Slurs + @"\b", 0.6),
        (ModerationCategories.Hate, @"\b(fuck(ing)?|damn|bloody|stupid|dirty|filthy)\s+(all\s+|those\s+|these\s+|the\s+)?" + Identity + @"\b", 0.6),
        (ModerationCategories.Hate, @"\b(no|never)\s+(more\s+)?" + Identity + @"\s+(allowed|welcome|wanted)", 0.75),

        // Harassment: insults and abuse aimed at the reader (at most four fillers, so a match stays within the prefilter's window).
        (ModerationCategories.Harassment, @"\byou('re|\s+are)\s+(such\s+|a\s+|an\s+|so\s+|just\s+|nothing\s+but\s+){0,4}(worthless|pathetic|idiot|moron|stupid|loser|ugly|disgusting|dumb|retard(ed)?|piece\s+of\s+shit|waste\s+of\s+space|bitch|slut|whore|cunt|failure)\b", 0.7),
        (ModerationCategories.Harassment, @"\b(fuck\s+you|shut\s+(the\s+fuck\s+)?up|go\s+(and\s+)?die|kys|kill\s+yourself|nobody\s+(likes|loves|wants)\s+you|i\s+hope\s+you\s+(die|suffer|get\s+hurt))\b", 0.7),

        // Self-harm.
        (ModerationCategories.SelfHarm, @"\b(kill|hurt|cut|harm|starve|hang)\s+myself\b|\bend\s+(my|it\s+all|my\s+own)\s+life\b|\bsuicid(e|al)\b|\bself[-\s]?harm\w*\b|\bwant\s+to\s+die\b|\bdon'?t\s+want\s+to\s+(live|be\s+alive)\b|\boverdose\s+on\b", 0.75),

        // Sexual content.
        (ModerationCategories.Sexual, @"\b(porn\w*|pornographic|xxx|nsfw|erotic\w*|orgasm\w*|blow\s?jobs?|hand\s?jobs?|genitals?|penis|vagina|clit\w*|dildo\w*|masturbat\w*|nude\s+(photos|pics|images)|naked\s+(photos|pics|body|bodies)|sex\s+(scene|act|acts|tape|video)s?|have\s+sex\s+with|sexual\s+(acts?|content|intercourse|fantasy|fantasies))\b", 0.6),

        // Violence: threats and incitement.
        (ModerationCategories.Violence, @"\b(i|we)('ll|\s+will|\s+am\s+going\s+to|'m\s+going\s+to|'m\s+gonna|\s+are\s+going\s+to|\s+want\s+to|\s+should)\s+(kill|murder|shoot|stab|hurt|beat|strangle|slaughter|behead|torture|burn|bomb|attack|rape)\b", 0.8),
        (ModerationCategories.Violence, @"\b(kill|murder|shoot|stab|behead|slaughter|execute|hang|lynch|torture|rape|massacre|exterminate|gas)\s+(them|him|her|you|all|every|those|these|the)\b", 0.7),
        (ModerationCategories.Violence, @"\bshould\s+(all\s+)?be\s+(shot|killed|hanged|hung|executed|lynched|beaten|burned|gassed|exterminated|murdered|tortured)\b|\bdeserve\s+to\s+(die|be\s+(shot|killed|hanged|beaten))\b", 0.75),
        (ModerationCategories.Violence, @"\b(make|build)\s+(a\s+)?(bomb|pipe\s+bomb|explosive)s?\b|\b(mass\s+shooting|school\s+shooting|terrorist\s+attack)\b", 0.6),

        // Hate, continued (one regex each: together with the rule above they exceed the non-backtracking engine's automaton limit).
        (ModerationCategories.Hate, @"\b" + Identity + @"\s+(are\s+)?not\s+(welcome|human|people|wanted)\b", 0.75),
        (ModerationCategories.Hate, @"\bdeath\s+to\s+" + Identity, 0.75),
    ];
}
