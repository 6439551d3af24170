using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Embeddings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the local sentence encoder that policies (the semantic cache, learned guardrails) share.</summary>
public static class EmbeddingsGatewayBuilderExtensions
{
    /// <summary>
    /// Registers one shared <see cref="ITextEncoder"/> (all-MiniLM-L6-v2, offline), configured by the <c>sentence_encoder</c>
    /// section (<see cref="SentenceEncoderOptions"/>). The model loads lazily, on the first text a policy asks for, so adding
    /// this costs nothing until a configured policy uses it.
    /// </summary>
    public static IMeshGatewayBuilder AddSentenceEncoder(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddSentenceEncoder)))
        {
            var options = builder.Configuration.GetSection(SentenceEncoderOptions.SectionName).Get<SentenceEncoderOptions>() ?? new SentenceEncoderOptions();
            builder.Services.AddBoundOptions(options);
            builder.Services.TryAddValidator<SentenceEncoderOptions, SentenceEncoderOptionsValidator>();
            builder.Services.TryAddSingleton<ITextEncoder>(static sp => new MiniLmTextEncoder(sp.GetRequiredService<SentenceEncoderOptions>()));
        }

        return builder;
    }
}
