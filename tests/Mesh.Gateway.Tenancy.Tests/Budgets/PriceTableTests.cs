using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Tenancy.Budgets;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Budgets;

public sealed class PriceTableTests
{
    [Theory]
    [InlineData("gpt-4o", 2.50, 10)]
    [InlineData("gpt-4o-2024-08-06", 2.50, 10)]
    [InlineData("gpt-4o-mini-2024-07-18", 0.15, 0.60)]
    [InlineData("claude-sonnet-4-5-20250929", 3, 15)]
    [InlineData("openai/gpt-4.1-mini", 0.40, 1.60)]
    [InlineData("GEMINI-2.5-FLASH", 0.30, 2.50)]
    public void TryGetPrice_DatedOrPrefixedNames_MatchTheirModel(string model, double input, double output)
    {
        Assert.True(PriceTable.Create(null).TryGetPrice(model, out var price));
        Assert.Equal(((decimal)input, (decimal)output), (price.Input, price.Output));
    }

    [Theory]
    [InlineData("gpt-4")]
    [InlineData("gpt-4ox")]
    [InlineData("llama-3")]
    public void TryGetPrice_UnknownModel_False(string model) => Assert.False(PriceTable.Create(null).TryGetPrice(model, out _));

    [Fact]
    public void Cost_CachedInputPricedApart()
    {
        var table = PriceTable.Create(null);

        // claude-sonnet-4-5: 3 in, 0.30 cached, 15 out per million.
        var cost = table.Cost("claude-sonnet-4-5", new ChatUsage { InputTokens = 10_000, CachedInputTokens = 8_000, OutputTokens = 1_000 });
        Assert.Equal(((2_000 * 3m) + (8_000 * 0.30m) + (1_000 * 15m)) / 1_000_000m, cost);
    }

    [Fact]
    public void Create_Override_ReplacesOnlyWhatItSets()
    {
        var table = PriceTable.Create(new Dictionary<string, ModelPriceOptions> { ["gpt-4o"] = new() { Output = 8m }, ["my-llm"] = new() { Input = 1m, Output = 2m } });
        Assert.True(table.TryGetPrice("gpt-4o", out var gpt));
        Assert.Equal(new ModelPrice(2.50m, 1.25m, 8m), gpt);
        Assert.True(table.TryGetPrice("my-llm", out var mine));
        Assert.Equal(new ModelPrice(1m, 1m, 2m), mine);
    }

    [Fact]
    public void ToNanoUsd_IsExact() => Assert.Equal(12_345_678_901L, PriceTable.ToNanoUsd(12.345678901m));
}
