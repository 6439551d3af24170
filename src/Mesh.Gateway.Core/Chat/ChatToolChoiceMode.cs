namespace Mesh.Gateway.Core.Chat;

/// <summary>How the model may use the tools offered.</summary>
public enum ChatToolChoiceMode
{
    Auto,
    None,
    Required,
    Tool,
}
