namespace Mesh.Gateway.Tokenizers;

/// <summary>The <c>detail</c> of an image part.</summary>
public enum ChatTokenImageDetail
{
    /// <summary>Not given, or <c>auto</c>: priced as high.</summary>
    Auto,

    /// <summary><c>low</c>: the base cost only.</summary>
    Low,

    /// <summary><c>high</c>.</summary>
    High,
}
