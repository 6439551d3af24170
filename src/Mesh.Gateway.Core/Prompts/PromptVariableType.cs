namespace Mesh.Gateway.Core.Prompts;

/// <summary>The type a prompt variable's value must have.</summary>
public enum PromptVariableType
{
    /// <summary>A string.</summary>
    Text,
    Number,
    Boolean,

    /// <summary>A string from the variable's list of values.</summary>
    Enum,
}
