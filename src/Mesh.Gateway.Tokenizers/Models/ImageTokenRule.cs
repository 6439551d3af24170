namespace Mesh.Gateway.Tokenizers;

/// <summary>How a model prices an input image, by OpenAI's published rules ("Images and vision: calculating costs").</summary>
/// <remarks>
/// Tile rule: <c>low</c> detail costs <see cref="BaseTokens"/>; otherwise the image is scaled to fit 2048x2048, then
/// its shortest side to 768 (never up), and costs <see cref="BaseTokens"/> + <see cref="TileTokens"/> per 512px tile.
/// Patch rule (when <see cref="PatchMultiplier"/> is set): 32px patches, scaled down to at most 1536 patches, times
/// the multiplier, rounded up.
/// </remarks>
/// <param name="BaseTokens">Tile rule: tokens per image.</param>
/// <param name="TileTokens">Tile rule: tokens per 512px tile.</param>
/// <param name="PatchMultiplier">Patch rule: tokens per 32px patch; null for the tile rule.</param>
public sealed record ImageTokenRule(int BaseTokens, int TileTokens, double? PatchMultiplier = null)
{
    /// <summary>GPT-4o, GPT-4.1, GPT-4.5: 85 + 170 per tile.</summary>
    public static ImageTokenRule Gpt4o { get; } = new(85, 170);

    /// <summary>GPT-4o mini: 2833 + 5667 per tile.</summary>
    public static ImageTokenRule Gpt4oMini { get; } = new(2833, 5667);

    /// <summary>o1, o3: 75 + 150 per tile.</summary>
    public static ImageTokenRule O1 { get; } = new(75, 150);

    /// <summary>GPT-5: 70 + 140 per tile.</summary>
    public static ImageTokenRule Gpt5 { get; } = new(70, 140);

    /// <summary>Creates a patch rule with a multiplier (GPT-5 mini and GPT-4.1 mini 1.62, nano 2.46, o4-mini 1.72).</summary>
    public static ImageTokenRule Patches(double multiplier) => new(0, 0, multiplier);
}
