namespace Mesh.Gateway.Core.Chat;

/// <summary>The author of a chat message.</summary>
public enum ChatRole
{
    System,
    User,
    Assistant,
    Tool,
}
