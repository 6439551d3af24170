using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Anthropic;
using Mesh.Gateway.Providers.Bedrock;
using Mesh.Gateway.Providers.Gemini;
using Mesh.Gateway.Providers.Http;
using Mesh.Gateway.Providers.Mock;
using Mesh.Gateway.Providers.OpenAI;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Providers.Registry;

/// <summary>Creates the provider for one validated <see cref="ProviderOptions"/> entry.</summary>
internal static class ProviderFactory
{
    public const string OpenAIBaseUrl = "https://api.openai.com/v1";
    public const string AnthropicBaseUrl = "https://api.anthropic.com/v1";
    public const string GeminiBaseUrl = "https://generativelanguage.googleapis.com/v1beta";

    private static bool Responses(ProviderOptions options) => options.Api == "responses";

    public static IChatProvider Create(ProviderOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory, HttpMessageHandler? handler = null)
    {
        if (!ProviderKinds.TryParse(options.Kind, out var kind))
        {
            throw new ArgumentException($"Unknown provider kind '{options.Kind}'.", nameof(options));
        }

        var name = options.Name;
        var logger = loggerFactory.CreateLogger("Mesh.Gateway.Providers." + name);
        HttpChatProvider Http(string defaultBase, Func<IChatTranslator> chat, Func<IEmbeddingTranslator>? embed, IProviderAuth auth) =>
            new(name, kind, new Uri(options.BaseUrl ?? defaultBase), chat, embed, auth, options, timeProvider, logger, handler);

        return kind switch
        {
            ProviderKind.Mock => new MockChatProvider(name, TimeSpan.FromMilliseconds(options.DelayPerTokenMs), timeProvider),
            ProviderKind.OpenAI => Http(
                OpenAIBaseUrl,
                Responses(options) ? () => new OpenAIResponsesTranslator(name) : () => new OpenAIChatTranslator(name, OpenAIDialect.OpenAI),
                () => new OpenAIEmbeddingTranslator(name, OpenAIDialect.OpenAI),
                HeaderAuth.Bearer(options.ApiKey)),
            ProviderKind.OpenAICompatible => Http(
                options.BaseUrl!,
                Responses(options) ? () => new OpenAIResponsesTranslator(name) : () => new OpenAIChatTranslator(name, OpenAIDialect.Compatible),
                () => new OpenAIEmbeddingTranslator(name, OpenAIDialect.Compatible),
                HeaderAuth.Bearer(options.ApiKey)),
            ProviderKind.AzureOpenAI => Http(
                options.BaseUrl!,
                Responses(options) ? () => new OpenAIResponsesTranslator(name, $"openai/responses?api-version={options.ApiVersion}") : () => new OpenAIChatTranslator(name, OpenAIDialect.Azure, options.ApiVersion, options.Deployment),
                () => new OpenAIEmbeddingTranslator(name, OpenAIDialect.Azure, options.ApiVersion, options.Deployment),
                options.AuthMode == "bearer" ? HeaderAuth.Bearer(options.ApiKey) : HeaderAuth.Header("api-key", options.ApiKey)),
            ProviderKind.Anthropic => Http(
                AnthropicBaseUrl,
                () => new AnthropicChatTranslator(name, options.AnthropicVersion),
                null,
                HeaderAuth.Header("x-api-key", options.ApiKey)),
            ProviderKind.Gemini => Http(
                GeminiBaseUrl,
                () => new GeminiChatTranslator(name),
                () => new GeminiEmbeddingTranslator(name),
                HeaderAuth.Header("x-goog-api-key", options.ApiKey)),
            ProviderKind.Bedrock => Http(
                $"https://bedrock-runtime.{options.Region}.amazonaws.com",
                () => new BedrockConverseTranslator(name),
                null,
                new SigV4Auth(options.AccessKeyId!, options.SecretAccessKey!, options.SessionToken, options.Region!, timeProvider)),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "Unknown provider kind."),
        };
    }
}
