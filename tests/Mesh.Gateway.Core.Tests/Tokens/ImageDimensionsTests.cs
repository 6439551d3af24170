using Mesh.Gateway.Core.Tokens;

namespace Mesh.Gateway.Core.Tests.Tokens;

public sealed class ImageDimensionsTests
{
    [Fact]
    public void FromBytes_Gif_ReadsLogicalScreenSize()
    {
        byte[] gif = [.. "GIF89a"u8, 0x20, 0x03, 0x58, 0x02, 0, 0, 0];

        Assert.Equal((800, 600), ImageDimensions.FromBytes(gif));
    }

    [Fact]
    public void FromBytes_JpegWithApp0BeforeSof_ReadsFrameSize()
    {
        byte[] jpeg =
        [
            0xFF, 0xD8,
            0xFF, 0xE0, 0x00, 0x06, (byte)'J', (byte)'F', (byte)'I', (byte)'F', // APP0, 4 bytes of payload
            0xFF, 0xC2, 0x00, 0x11, 0x08, 0x04, 0x38, 0x07, 0x80, 0x03, // SOF2: precision 8, height 1080, width 1920
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];

        Assert.Equal((1920, 1080), ImageDimensions.FromBytes(jpeg));
    }

    [Fact]
    public void FromBytes_WebPExtended_ReadsCanvasSize()
    {
        var webp = new byte[30];
        "RIFF"u8.CopyTo(webp);
        "WEBP"u8.CopyTo(webp.AsSpan(8));
        "VP8X"u8.CopyTo(webp.AsSpan(12));
        webp[24] = 0xFF; // width - 1 = 1023
        webp[25] = 0x03;
        webp[27] = 0xFF; // height - 1 = 511
        webp[28] = 0x01;

        Assert.Equal((1024, 512), ImageDimensions.FromBytes(webp));
    }

    [Fact]
    public void FromDataUrl_Png_ReadsIhdr()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0x0A, 0, 0, 0, 0x05, 0xA0, 8, 6, 0, 0, 0];

        Assert.Equal((2560, 1440), ImageDimensions.FromDataUrl("data:image/png;base64," + Convert.ToBase64String(png)));
    }

    [Theory]
    [InlineData("https://example.com/cat.png")]
    [InlineData("data:image/png;base64,bm90IGFuIGltYWdl")]
    [InlineData("data:image/png,not-base64")]
    public void FromDataUrl_NoReadableHeader_Null(string url)
    {
        Assert.Null(ImageDimensions.FromDataUrl(url));
    }
}
