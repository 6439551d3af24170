using Mesh.Gateway.Guardrails.Internal.Prefilter;

namespace Mesh.Gateway.Guardrails.Injection;

/// <summary>
/// The prefilter words of <see cref="InjectionPatterns"/>: for each tier, words of which every match contains one (at a word
/// start), with how many tokens a match reaches before and after it. Keep in step with the patterns: the equivalence test
/// (InjectionScorerTests) compares the prefiltered scores with whole-text scans on every evaluation text.
/// </summary>
internal static class InjectionTriggers
{
    internal const int Override = 0;
    internal const int Jailbreak = 1;
    internal const int RolePlay = 2;
    internal const int Personas = 3;
    internal const int Extraction = 4;
    internal const int Persona = 5;
    internal const int IndirectStrong = 6;
    internal const int IndirectTask = 7;
    internal const int IndirectQuestion = 8;

    internal static IEnumerable<Trigger> All() =>
    [
        // Tier1: override verbs; "do anything now"; "<x> mode"; jailbreak; "(bypass|turn off|break out of ...) the <filters|rules...>";
        // "without (ethical|moral|content) ..."; "reveal your <system prompt|instructions>"; "repeat the words above"; "what were you told";
        // "beginning of this conversation"; "never refuse"; "not bound by", "does not follow", "doesn't care about".
        .. Trigger.For(Override, 0, 6, "ignore|disregard|forget|skip|override|bypass|discard|drop|abandon"),
        .. Trigger.For(Override, 2, 2, "anything"),
        .. Trigger.For(Override, 2, 1, "mode"),
        .. Trigger.For(Override, 0, 2, "jail"),
        .. Trigger.For(Override, 6, 0, "filter|safety|restriction|censorship|guideline|polic|rules|limitation|confines|programming|moderation"),
        .. Trigger.For(Override, 4, 2, "ethical|moral|content", next: "guideline|restriction|filter|polic|constraint|boundaries|principle|compass|limit"),
        .. Trigger.For(Override, 7, 0, "prompt|instruction|message"),
        .. Trigger.For(Override, 0, 6, "repeat"),
        .. Trigger.For(Override, 4, 0, "above"),
        .. Trigger.For(Override, 3, 1, "told"),
        .. Trigger.For(Override, 4, 0, "conversation"),
        .. Trigger.For(Override, 3, 0, "refuse"),
        .. Trigger.For(Override, 4, 1, "bound|follow|abide|adhere"),
        .. Trigger.For(Override, 4, 1, "care", next: "about"),

        // Tier2.
        .. Trigger.For(Jailbreak, 0, 0, "unfilt|uncensored|unrestr|amoral|unethical|immoral|unbound|unchained|unlocked"),
        .. Trigger.For(Jailbreak, 0, 2, "stay"),
        .. Trigger.For(Jailbreak, 2, 0, "character|polic|anything|yourself"),
        .. Trigger.For(Jailbreak, 2, 0, "warning|disclaimer|restriction|censorship|filter|limit|hesitation|boundaries|rules|moral|ethic"),
        .. Trigger.For(Jailbreak, 0, 1, "illegal|harmful|explicit|offensive|inappropriate|dangerous|malicious|unethical"),
        .. Trigger.For(Jailbreak, 5, 1, "respons|answer|paragraph|repl|message|output"),
        .. Trigger.For(Jailbreak, 3, 1, "language", next: "model"),
        .. Trigger.For(Jailbreak, 3, 0, "free|liberated"),
        .. Trigger.For(Jailbreak, 0, 4, "you", next: "are"),
        .. Trigger.For(Jailbreak, 0, 3, "you're="),
        .. Trigger.For(Jailbreak, 0, 2, "from", next: "now|here"),
        .. Trigger.For(Jailbreak, 1, 0, "instruction|persona|identity"),

        // Tier3.
        .. Trigger.For(RolePlay, 0, 2, "pretend|role|imagine|fictional"),
        .. Trigger.For(RolePlay, 0, 2, "act|acting|behave|respond|function", next: "like|as"),
        .. Trigger.For(RolePlay, 0, 0, "simulate|emulate|impersonate|hypothetical|moral|ethic|legal|censor|persona|character|openai|chatgpt"),
        .. Trigger.For(RolePlay, 1, 0, "prompt"),

        // Persona acronyms (the regex is case-sensitive; the prefilter is not, which only adds candidates).
        .. Trigger.For(Personas, 0, 0, "dan=|stan=|dude=|aim=|ucar=|kevin=|apophis=|basedgpt=|evilbot=|nsfwgpt=|devmode=|betterdan="),

        // Extraction: "system prompt" (also glued: systemprompt, system_prompt), "initial instructions", "text you were given", "the text above".
        .. Trigger.For(Extraction, 1, 3, "prompt|instruction|message|configuration"),
        .. Trigger.For(Extraction, 0, 0, "systemprompt|system_prompt"),
        .. Trigger.For(Extraction, 3, 0, "given"),
        .. Trigger.For(Extraction, 2, 1, "above"),

        // Persona assignment.
        .. Trigger.For(Persona, 3, 4, "you", next: "are|to|will"),
        .. Trigger.For(Persona, 3, 0, "role|persona"),
        .. Trigger.For(Persona, 4, 0, "game"),
        .. Trigger.For(Persona, 0, 1, "forget"),
        .. Trigger.For(Persona, 2, 0, "moment|point"),
        .. Trigger.For(Persona, 4, 0, "commentary|explanation|warning|disclaimer"),
        .. Trigger.For(Persona, 2, 1, "name", next: "is"),
        .. Trigger.For(Persona, 0, 0, "racist|vulgar|nsfw|porn|obscene"),

        // Retrieved documents only.
        .. Trigger.For(IndirectStrong, 5, 2, "respons|answer|repl|output|summary"),
        .. Trigger.For(IndirectStrong, 2, 3, "you", next: "summari|read|process|answer|respond|reply"),
        .. Trigger.For(IndirectStrong, 2, 3, "ai=|assistant=|chatbot=|model=|llm="),
        .. Trigger.For(IndirectTask, 2, 5,
            "write|provide|explain|analy|summari|recommend|suggest|translate|compose|describe|draft|classify|calculate|compare|outline|rewrite|misspell|rearrange|introduce|encourage|generate|create|list|modify|enhance|develop|break|integrate|mention|incorporate|embed|append|prepend|express|conclude|convert|encode|decode|reverse|substitute|replace|use|remove|respond|reply|answer"),
        .. Trigger.For(IndirectQuestion, 2, 2, "you", next: "please|help|tell|show|explain|give|provide|write|list|suggest|recommend|classify|use|reply|respond|translate|summari|describe"),
        new Trigger("?", IndirectQuestion, 3, 0, BeforeChars: 170),
    ];
}
