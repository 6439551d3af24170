namespace Mesh.Gateway.Tokenizers.Tests;

internal static class Fixtures
{
    public static string PathOf(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static TiktokenEncoding Encoding(string name) =>
        TiktokenEncoding.GetEncoding(name) ?? throw new InvalidOperationException($"Unknown encoding {name}.");
}
