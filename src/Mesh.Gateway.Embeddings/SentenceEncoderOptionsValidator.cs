using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Embeddings;

/// <summary>Stops the start on a <c>sentence_encoder</c> section the encoder cannot run with.</summary>
internal sealed class SentenceEncoderOptionsValidator : IValidateOptions<SentenceEncoderOptions>
{
    public ValidateOptionsResult Validate(string? name, SentenceEncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Precision is not ("int8" or "fp32"))
        {
            errors.Add($"sentence_encoder.precision: '{options.Precision}' is not int8 or fp32");
        }

        if (options.MaxWindows < 1)
        {
            errors.Add($"sentence_encoder.max_windows: {options.MaxWindows} must be 1 or more");
        }

        return MeshOptions.Result(errors);
    }
}
