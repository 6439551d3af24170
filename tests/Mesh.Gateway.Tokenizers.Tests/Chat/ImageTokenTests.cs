using Mesh.Gateway.Tokenizers.Chat;

namespace Mesh.Gateway.Tokenizers.Tests.Chat;

/// <summary>OpenAI's published image examples ("Images and vision: calculating costs").</summary>
public sealed class ImageTokenTests
{
    [Theory]
    [InlineData(1024, 1024, ChatTokenImageDetail.High, 765)]   // 768x768: 4 tiles
    [InlineData(2048, 4096, ChatTokenImageDetail.High, 1105)]  // 1024x2048 -> 768x1536: 6 tiles
    [InlineData(4096, 8192, ChatTokenImageDetail.Low, 85)]
    [InlineData(512, 512, ChatTokenImageDetail.Auto, 255)]     // never scaled up: 1 tile
    public void Count_TileRule_MatchesPublishedExamples(int width, int height, ChatTokenImageDetail detail, int expected)
    {
        Assert.Equal(expected, ImageTokenCalculator.Count(ImageTokenRule.Gpt4o, width, height, detail, out bool assumed));
        Assert.False(assumed);
    }

    [Fact]
    public void Count_Gpt4oMini_UsesItsOwnConstants()
    {
        Assert.Equal(2833 + (4 * 5667), ImageTokenCalculator.Count(ImageTokenRule.Gpt4oMini, 1024, 1024, ChatTokenImageDetail.High, out _));
        Assert.Equal(2833, ImageTokenCalculator.Count(ImageTokenRule.Gpt4oMini, 1024, 1024, ChatTokenImageDetail.Low, out _));
    }

    [Theory]
    [InlineData(1024, 1024, 1.0, 1024)] // 32 x 32 patches
    [InlineData(1800, 2400, 1.0, 1452)] // scaled to 1056 x 1408: 33 x 44 patches
    [InlineData(16, 16, 2.46, 3)]       // one patch, times gpt-5-nano's multiplier, rounded up
    [InlineData(1024, 1024, 1.62, 1659)]
    public void Count_PatchRule_MatchesPublishedExamples(int width, int height, double multiplier, int expected)
    {
        Assert.Equal(expected, ImageTokenCalculator.Count(ImageTokenRule.Patches(multiplier), width, height, ChatTokenImageDetail.Auto, out _));
    }

    [Fact]
    public void Count_UnknownSize_AssumesASquareAndSaysSo()
    {
        Assert.Equal(765, ImageTokenCalculator.Count(ImageTokenRule.Gpt4o, null, null, ChatTokenImageDetail.High, out bool assumed));
        Assert.True(assumed);
        Assert.Equal(85, ImageTokenCalculator.Count(ImageTokenRule.Gpt4o, null, null, ChatTokenImageDetail.Low, out bool lowAssumed));
        Assert.False(lowAssumed);
    }

    [Fact]
    public void CountChat_ImagePart_AddsImageTokensToTheMessage()
    {
        var counter = new TokenCounter();
        ChatTokenMessage message = new()
        {
            Role = "user",
            Parts = [ChatTokenPart.FromText("What is in this image?"), ChatTokenPart.FromImage(1024, 1024, ChatTokenImageDetail.High)],
        };

        ChatTokenCount count = counter.CountChat(new ChatTokenRequest { Model = "gpt-4o", Messages = [message] });

        Assert.Equal(765, count.ImageTokens);
        Assert.Equal(3 + 1 + 6 + 765 + 3, count.PromptTokens);
        Assert.Equal(TokenCountKind.Exact, count.Kind);
    }
}
