namespace Mesh.Gateway.Tokenizers.Internal;

/// <summary>A pre-tokenizer as a type, so the piece loop specialises per pattern.</summary>
internal interface ISplitter
{
    /// <summary>The end of the piece that starts at <paramref name="p"/>.</summary>
    static abstract int Next(ReadOnlySpan<byte> utf8, int p);
}

/// <summary>cl100k_base's split.</summary>
internal readonly struct Cl100kSplitter : ISplitter
{
    public static int Next(ReadOnlySpan<byte> utf8, int p) => PreTokenizer.NextCl100k(utf8, p);
}

/// <summary>o200k_base's split.</summary>
internal readonly struct O200kSplitter : ISplitter
{
    public static int Next(ReadOnlySpan<byte> utf8, int p) => PreTokenizer.NextO200k(utf8, p);
}
