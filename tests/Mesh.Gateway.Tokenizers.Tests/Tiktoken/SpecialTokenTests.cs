namespace Mesh.Gateway.Tokenizers.Tests.Tiktoken;

public sealed class SpecialTokenTests
{
    private static TiktokenEncoding Cl100k => TiktokenEncoding.Cl100kBase;

    [Fact]
    public void Encode_SpecialTextByDefault_ThrowsLikeTiktokensValueError()
    {
        var error = Assert.Throws<DisallowedSpecialTokenException>(() => Cl100k.Encode("hi <|endoftext|>"));
        Assert.Equal("<|endoftext|>", error.Token);
        Assert.Equal(3, error.Index);
        Assert.Throws<DisallowedSpecialTokenException>(() => Cl100k.CountTokens("<|fim_prefix|>"));
    }

    [Fact]
    public void TryCountTokens_DisallowedSpecialText_ReturnsFalse()
    {
        Assert.False(Cl100k.TryCountTokens("a<|endofprompt|>", SpecialTokenPolicy.DisallowAll, out _));
        Assert.True(Cl100k.TryCountTokens("a<|endofprompt|>", SpecialTokenPolicy.AllowAll, out int count));
        Assert.Equal(2, count);
    }

    [Fact]
    public void Encode_AllowAll_EmitsSpecialIds()
    {
        Assert.Equal([100257], Cl100k.Encode("<|endoftext|>", SpecialTokenPolicy.AllowAll));
        Assert.Equal([15339, 100258, 15339], Cl100k.Encode("hello<|fim_prefix|>hello", SpecialTokenPolicy.AllowAll));
        Assert.Equal([199999], TiktokenEncoding.O200kBase.Encode("<|endoftext|>", SpecialTokenPolicy.AllowAll));
    }

    [Fact]
    public void Encode_AsText_EncodesSpecialTextAsOrdinaryTokens()
    {
        int[] ids = Cl100k.Encode("<|endoftext|>", SpecialTokenPolicy.AsText);

        Assert.True(ids.Length > 1);
        Assert.DoesNotContain(100257, ids);
        Assert.Equal("<|endoftext|>", Cl100k.Decode(ids));
    }

    [Fact]
    public void Encode_AllowSome_OthersAreErrorsOrText()
    {
        SpecialTokenPolicy strict = SpecialTokenPolicy.Allow(["<|endoftext|>"]);
        SpecialTokenPolicy lenient = SpecialTokenPolicy.Allow(["<|endoftext|>"], othersAsText: true);
        const string text = "<|endoftext|><|fim_prefix|>";

        Assert.Throws<DisallowedSpecialTokenException>(() => Cl100k.Encode(text, strict));
        int[] ids = Cl100k.Encode(text, lenient);
        Assert.Equal(100257, ids[0]);
        Assert.DoesNotContain(100258, ids);
        Assert.Equal(text, Cl100k.Decode(ids));
    }

    [Fact]
    public void TryFindDisallowedSpecialToken_FindsFirstOne()
    {
        Assert.True(Cl100k.TryFindDisallowedSpecialToken("ab <| <|endofprompt|>", SpecialTokenPolicy.DisallowAll, out string token, out int index));
        Assert.Equal("<|endofprompt|>", token);
        Assert.Equal(6, index);
        Assert.False(Cl100k.TryFindDisallowedSpecialToken("<|endofprompt|>", SpecialTokenPolicy.AsText, out _, out _));
        Assert.False(Cl100k.TryFindDisallowedSpecialToken("<|im_start|>", SpecialTokenPolicy.DisallowAll, out _, out _));
    }

    [Fact]
    public void TryEncode_ShortDestination_ReturnsFalseWithTheNeededCount()
    {
        Span<int> small = stackalloc int[2];
        Assert.False(Cl100k.TryEncode("the brown fox jumped", small, out int needed));
        Assert.Equal(4, needed);

        Span<int> enough = stackalloc int[4];
        Assert.True(Cl100k.TryEncode("the brown fox jumped", enough, out int written));
        Assert.Equal(Cl100k.Encode("the brown fox jumped"), enough[..written].ToArray());
    }

    [Fact]
    public void Decode_UnknownId_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Cl100k.Decode([100256 + 1000]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cl100k.Decode([-1]));
    }

    [Fact]
    public void O200kHarmony_SharesRanksAndAddsChatTokens()
    {
        TiktokenEncoding harmony = TiktokenEncoding.O200kHarmony;

        Assert.Equal(200006, harmony.SpecialTokens["<|start|>"]);
        Assert.Equal(TiktokenEncoding.O200kBase.Encode("Hello World"), harmony.Encode("Hello World"));
        Assert.Equal("<|reserved_200018|>", harmony.Decode([200018]));
    }
}
