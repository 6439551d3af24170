namespace Mesh.Gateway.Core.Chat;

/// <summary>The shape of output asked for.</summary>
public enum ChatResponseFormatKind
{
    Text,
    Json,
    JsonSchema,
}
