using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Caching.Semantic;

/// <summary>Turns a prompt into the vector the semantic index holds: the local sentence encoder with the cache's learned
/// layer (<see cref="LocalSemanticEncoder"/>), or an Embed route of this gateway (<see cref="RouteSemanticEncoder"/>).</summary>
internal interface ISemanticEncoder
{
    /// <summary>Joins every semantic partition's name, so vectors of two encoders (two sidecars configured differently on one
    /// Redis) are never compared.</summary>
    string Tag { get; }

    /// <summary>The prompt's vector if this call already has it (empty: the encoder was asked and gave none); reads the call's
    /// context, so call it before the first await.</summary>
    float[]? Kept(InferenceContext context, string prompt);

    /// <summary>The prompt's vector, kept in <paramref name="context"/> (when given) for the rest of the call; null when the
    /// encoder gave none (the lookup is then a miss, never an error).</summary>
    ValueTask<float[]?> EncodeAsync(InferenceContext? context, string prompt, CancellationToken cancellationToken);

    /// <summary>Whether the answer kept for <paramref name="cachedPrompt"/> may serve <paramref name="prompt"/>, which the index
    /// found at <paramref name="similarity"/> (at or above the route's threshold): the second stage of a semantic hit.</summary>
    bool Confirms(string prompt, string cachedPrompt, float similarity, CancellationToken cancellationToken);
}
