namespace Mesh.Gateway.Core.Chat;

/// <summary>An image given either by URL or by its bytes and media type.</summary>
public sealed record ImageContentPart : ChatContentPart
{
    /// <summary>The image's URL (http(s) or data:), when given by reference.</summary>
    public Uri? Url { get; init; }

    /// <summary>The image's bytes, when given inline; empty when <see cref="Url"/> is set.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>The media type of <see cref="Data"/> (for example image/png).</summary>
    public string? MediaType { get; init; }

    /// <summary>OpenAI's detail hint (low, high, auto); other providers ignore it.</summary>
    public string? Detail { get; init; }

    public static ImageContentPart FromUrl(Uri url, string? detail = null) => new() { Url = url, Detail = detail };

    public static ImageContentPart FromBytes(ReadOnlyMemory<byte> data, string mediaType) => new() { Data = data, MediaType = mediaType };
}
