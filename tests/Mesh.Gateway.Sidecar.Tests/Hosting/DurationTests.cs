using Mesh.Gateway.Sidecar.Hosting;

namespace Mesh.Gateway.Sidecar.Tests.Hosting;

public sealed class DurationTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("10", 10_000)]
    [InlineData("0", 0)]
    public void TryParse_WithUnit_Parses(string text, int milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value));

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("10d")]
    [InlineData("1e999s")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(Duration.TryParse(text, out _));
    }
}
