using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.Guardrails.Tests.Pii;

public sealed class ActionTests
{
    private static readonly GuardrailEngine Engine = new();

    private static GuardPolicy With(GuardAction action, string? key = null) => new()
    {
        Pii = new PiiPolicy { Action = action },
        Injection = new InjectionPolicy { Enabled = false },
        Moderation = new ModerationPolicy { Enabled = false },
        HashKey = key,
    };

    [Fact]
    public void Inspect_Mask_KeepsLength()
    {
        var result = Engine.Inspect("to a@b.io!", GuardDirection.Input, With(GuardAction.Mask));

        Assert.Equal("to ******!", result.RedactedText);
    }

    [Fact]
    public void Inspect_Hash_IsStablePerKeyAndDiffersAcrossTenants()
    {
        string a1 = Engine.Inspect("a@b.io", GuardDirection.Input, With(GuardAction.Hash, "tenant-a")).RedactedText;
        string a2 = Engine.Inspect("a@b.io", GuardDirection.Input, With(GuardAction.Hash, "tenant-a")).RedactedText;
        string b = Engine.Inspect("a@b.io", GuardDirection.Input, With(GuardAction.Hash, "tenant-b")).RedactedText;

        Assert.StartsWith("[EMAIL:", a1, StringComparison.Ordinal);
        Assert.Equal(a1, a2);
        Assert.NotEqual(a1, b);
        Assert.DoesNotContain("a@b.io", a1, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_Tokenize_StablePlaceholdersAndRestore()
    {
        var vault = new GuardTokenVault();
        var result = Engine.Inspect("a@b.io and c@d.io and a@b.io", GuardDirection.Input, With(GuardAction.Tokenize), vault);

        Assert.Equal("[EMAIL_1] and [EMAIL_2] and [EMAIL_1]", result.RedactedText);
        Assert.Equal("reply to a@b.io, cc c@d.io", vault.Restore("reply to [EMAIL_1], cc [EMAIL_2]"));
    }

    [Fact]
    public void Inspect_Block_VerdictBlockNamesType()
    {
        var result = Engine.Inspect("card 4111111111111111", GuardDirection.Input, With(GuardAction.Block));

        Assert.Equal(GuardVerdict.Block, result.Verdict);
        Assert.Equal("credit_card", result.BlockReason);
    }

    [Fact]
    public void Inspect_Report_LeavesTextButListsFinding()
    {
        var result = Engine.Inspect("a@b.io", GuardDirection.Input, With(GuardAction.Report));

        Assert.Equal(GuardVerdict.Allow, result.Verdict);
        Assert.Equal("a@b.io", result.RedactedText);
        Assert.Single(result.Findings);
    }

    [Fact]
    public void Inspect_EntityFilterAndOverride_AppliesPerType()
    {
        var policy = new GuardPolicy
        {
            Pii = new PiiPolicy
            {
                Entities = ["email", "credit_card"],
                Overrides = new Dictionary<string, PiiEntityPolicy> { ["credit_card"] = new() { Action = GuardAction.Mask } },
            },
            Injection = new InjectionPolicy { Enabled = false },
            Moderation = new ModerationPolicy { Enabled = false },
        };

        var result = Engine.Inspect("a@b.io 4111111111111111 192.168.1.1", GuardDirection.Input, policy);

        Assert.Equal("[EMAIL] **************** 192.168.1.1", result.RedactedText);
    }
}
