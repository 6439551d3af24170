using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>A compiled version: the model it calls and its parsed messages.</summary>
internal sealed record PromptVersion(string Id, string Model, IReadOnlyList<(ChatRole Role, PromptText Text)> Messages, int? MaxOutputTokens, double? Temperature);
