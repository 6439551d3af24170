namespace Mesh.Gateway.Core.Telemetry;

/// <summary>Values of <c>gen_ai.token.type</c>.</summary>
public static class GenAiTokenTypes
{
    public const string Input = "input";
    public const string Output = "output";
}
