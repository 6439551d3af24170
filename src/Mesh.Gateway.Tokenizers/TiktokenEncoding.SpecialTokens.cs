namespace Mesh.Gateway.Tokenizers;

public sealed partial class TiktokenEncoding
{
    // tiktoken_ext/openai_public.py.
    private static Dictionary<string, int> Cl100kSpecialTokens() => new(StringComparer.Ordinal)
    {
        ["<|endoftext|>"] = 100257,
        ["<|fim_prefix|>"] = 100258,
        ["<|fim_middle|>"] = 100259,
        ["<|fim_suffix|>"] = 100260,
        ["<|endofprompt|>"] = 100276,
    };

    private static Dictionary<string, int> O200kSpecialTokens() => new(StringComparer.Ordinal)
    {
        ["<|endoftext|>"] = 199999,
        ["<|endofprompt|>"] = 200018,
    };

    private static List<KeyValuePair<string, int>> O200kHarmonySpecialTokens()
    {
        var tokens = new List<KeyValuePair<string, int>>(O200kSpecialTokens())
        {
            new("<|startoftext|>", 199998),
            new("<|reserved_200000|>", 200000),
            new("<|reserved_200001|>", 200001),
            new("<|return|>", 200002),
            new("<|constrain|>", 200003),
            new("<|reserved_200004|>", 200004),
            new("<|channel|>", 200005),
            new("<|start|>", 200006),
            new("<|end|>", 200007),
            new("<|message|>", 200008),
            new("<|reserved_200009|>", 200009),
            new("<|reserved_200010|>", 200010),
            new("<|reserved_200011|>", 200011),
            new("<|call|>", 200012),
        };
        for (int id = 200013; id < 201088; id++)
        {
            tokens.Add(new($"<|reserved_{id}|>", id));
        }

        return tokens;
    }
}
