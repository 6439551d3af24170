namespace Mesh.Gateway.Guardrails;

/// <summary>
/// A second-stage classifier (for example Prompt Guard or Llama Guard behind an OpenAI-compatible server, or
/// the OpenAI moderation endpoint) that the engine consults when a policy enables it.
/// </summary>
/// <remarks>Implementations must be thread-safe and honour cancellation. Return <see cref="GuardClassification.Unavailable"/> instead of throwing when the backend cannot answer.</remarks>
public interface IGuardClassifier
{
    /// <summary>The name a policy's <c>classifier.name</c> refers to.</summary>
    string Name { get; }

    /// <summary>Classifies <paramref name="text"/> for <paramref name="kind"/>.</summary>
    ValueTask<GuardClassification> ClassifyAsync(string text, GuardClassifierKind kind, GuardDirection direction, CancellationToken cancellationToken);
}
