namespace Mesh.Gateway.Tokenizers;

/// <summary>One content part of a message.</summary>
public sealed record ChatTokenPart
{
    /// <summary>What the part holds.</summary>
    public required ChatTokenPartKind Kind { get; init; }

    /// <summary>The text of a text part.</summary>
    public string? Text { get; init; }

    /// <summary>Image width in pixels, when known (a data URL's header gives it; a remote URL does not).</summary>
    public int? ImageWidth { get; init; }

    /// <summary>Image height in pixels, when known.</summary>
    public int? ImageHeight { get; init; }

    /// <summary>The requested image detail.</summary>
    public ChatTokenImageDetail ImageDetail { get; init; }

    /// <summary>Audio duration in seconds, when known.</summary>
    public double? AudioSeconds { get; init; }

    /// <summary>Creates a text part.</summary>
    public static ChatTokenPart FromText(string text) => new() { Kind = ChatTokenPartKind.Text, Text = text };

    /// <summary>Creates an image part.</summary>
    public static ChatTokenPart FromImage(int? width, int? height, ChatTokenImageDetail detail = ChatTokenImageDetail.Auto) =>
        new() { Kind = ChatTokenPartKind.Image, ImageWidth = width, ImageHeight = height, ImageDetail = detail };

    /// <summary>Creates an audio part.</summary>
    public static ChatTokenPart FromAudio(double? seconds) => new() { Kind = ChatTokenPartKind.Audio, AudioSeconds = seconds };
}
