namespace Mesh.Gateway.Caching.Semantic;

/// <summary>A cached prompt whose vector reaches a lookup's threshold: the exact entry it points at, its (int8) cosine to the
/// lookup's vector, and the cached prompt (its first <see cref="PairVerifier.MaxPromptChars"/> characters) for the verifier.</summary>
internal readonly record struct SemanticCandidate(string EntryKey, float Similarity, string Prompt);
