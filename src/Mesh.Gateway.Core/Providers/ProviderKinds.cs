namespace Mesh.Gateway.Core.Providers;

/// <summary>The configuration spellings of <see cref="ProviderKind"/>.</summary>
public static class ProviderKinds
{
    public const string OpenAI = "openai";
    public const string AzureOpenAI = "azure-openai";
    public const string OpenAICompatible = "openai-compatible";
    public const string Anthropic = "anthropic";
    public const string Gemini = "gemini";
    public const string Bedrock = "bedrock";
    public const string Mock = "mock";

    public static IReadOnlyList<string> All { get; } = [OpenAI, AzureOpenAI, OpenAICompatible, Anthropic, Gemini, Bedrock, Mock];

    public static bool TryParse(string? value, out ProviderKind kind)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case OpenAI: kind = ProviderKind.OpenAI; return true;
            case AzureOpenAI or "azure": kind = ProviderKind.AzureOpenAI; return true;
            case OpenAICompatible: kind = ProviderKind.OpenAICompatible; return true;
            case Anthropic: kind = ProviderKind.Anthropic; return true;
            case Gemini: kind = ProviderKind.Gemini; return true;
            case Bedrock: kind = ProviderKind.Bedrock; return true;
            case Mock: kind = ProviderKind.Mock; return true;
            default: kind = default; return false;
        }
    }

    public static string ToConfigName(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAI => OpenAI,
        ProviderKind.AzureOpenAI => AzureOpenAI,
        ProviderKind.OpenAICompatible => OpenAICompatible,
        ProviderKind.Anthropic => Anthropic,
        ProviderKind.Gemini => Gemini,
        ProviderKind.Bedrock => Bedrock,
        _ => Mock,
    };
}
