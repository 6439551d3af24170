using Mesh.Gateway.Caching.Keys;
using Mesh.Gateway.Caching.Semantic;
using Mesh.Gateway.Core.Caching;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Caching.Tests.Keys;

public sealed class RequestHasherTests
{
    private static readonly ChatRequest Base = new() { Model = "chat", Messages = [ChatMessage.System("Be brief."), ChatMessage.User("What is 2+2?")], Temperature = 0 };

    [Fact]
    public void Exact_WhatTheProviderSeesChanges_KeyChanges()
    {
        var key = RequestHasher.Exact(Base);

        Assert.Equal(key, RequestHasher.Exact(Base with { Tags = ["x"], Metadata = new Dictionary<string, string> { ["a"] = "b" } }));
        Assert.NotEqual(key, RequestHasher.Exact(Base with { Temperature = 0.1 }));
        Assert.NotEqual(key, RequestHasher.Exact(Base with { Model = "other" }));
        Assert.NotEqual(key, RequestHasher.Exact(Base with { MaxOutputTokens = 10 }));
        Assert.NotEqual(key, RequestHasher.Exact(Base with { ResponseFormat = ChatResponseFormat.Json }));
        Assert.NotEqual(key, RequestHasher.Exact(Base with { Tools = [new ChatToolDefinition { Name = "calc" }] }));
        Assert.NotEqual(key, RequestHasher.Exact(Base with { Messages = [ChatMessage.System("Be brief!"), ChatMessage.User("What is 2+2?")] }));
    }

    [Fact]
    public void Semantic_OnlyTheLastUserTextDiffers_SamePartition()
    {
        var a = RequestHasher.Semantic(Base)!.Value;
        var b = RequestHasher.Semantic(Base with { Messages = [ChatMessage.System("Be brief."), ChatMessage.User("How much is two plus two?")] })!.Value;
        var c = RequestHasher.Semantic(Base with { Messages = [ChatMessage.System("Be long."), ChatMessage.User("What is 2+2?")] })!.Value;

        Assert.Equal(a.Partition, b.Partition);
        Assert.NotEqual(a.Partition, c.Partition);
        Assert.Equal("What is 2+2?", a.Prompt);
    }

    [Fact]
    public void CacheKey_TenantWithSeparators_EscapedSoPrefixesDoNotOverlap()
    {
        var key = new CacheKey("a:b", "chat", null, "h");

        Assert.False(key.StoreKey.StartsWith(CacheKey.Prefix("a", null), StringComparison.Ordinal));
        Assert.StartsWith(CacheKey.Prefix("a:b", "chat"), key.StoreKey, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-cache", true, false, null)]
    [InlineData("no-store", false, true, null)]
    [InlineData("max-age=30, no-store", false, true, 30)]
    [InlineData("private, max-age=\"5\"", false, false, 5)]
    [InlineData("", false, false, null)]
    public void CacheControl_Parse_ReadsTheDirectives(string value, bool noCache, bool noStore, int? maxAge)
    {
        var control = CacheControl.Parse(value);

        Assert.Equal(noCache, control.NoCache);
        Assert.Equal(noStore, control.NoStore);
        Assert.Equal(maxAge is null ? null : TimeSpan.FromSeconds(maxAge.Value), control.MaxAge);
    }

    [Theory]
    [InlineData("How do I reset my card PIN?", true)]
    [InlineData("Wie setze ich meine Karten-PIN zurück?", true)]
    [InlineData("카드 비밀번호를 어떻게 바꾸나요?", false)]
    [InlineData("如何重置我的卡密码？", false)]
    public void PromptScript_NonLatinPrompts_LeftToTheExactCache(string prompt, bool latin) =>
        Assert.Equal(latin, PromptScript.IsMostlyLatin(prompt));
}
