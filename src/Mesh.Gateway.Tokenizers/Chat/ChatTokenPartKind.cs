namespace Mesh.Gateway.Tokenizers;

/// <summary>The kind of a content part.</summary>
public enum ChatTokenPartKind
{
    /// <summary>Text.</summary>
    Text,

    /// <summary>An image.</summary>
    Image,

    /// <summary>Input audio.</summary>
    Audio,

    /// <summary>A file (its cost depends on its contents, which are not counted).</summary>
    File,
}
