using Mesh.Gateway.Envoy.Guarding;
using Mesh.Gateway.Guardrails;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Guarding;

public sealed class GuardrailsEnvoyGuardTests
{
    private const string Prompt = "Write to jane.roe@example.org about card 4111 1111 1111 1111.";

    private static readonly GuardrailsOptions Options = Parse(new Dictionary<string, string?>
    {
        ["guardrails:pii:action"] = "redact",
        ["guardrails:pii:entities:0"] = "email",
        ["guardrails:pii:entities:1"] = "credit_card",
        ["guardrails:policies:strict:pii:action"] = "block",
        ["guardrails:tenants:team-b:policy"] = "strict",
        ["guardrails:tenants:team-c:policy"] = "default",
    });

    [Fact]
    public void ForTenant_TenantWithOwnPolicy_BlocksWhatTheDefaultRedacts()
    {
        var guard = new GuardrailsEnvoyGuard(new GuardrailEngine(), Options);

        var byDefault = guard.InspectResponse(Prompt);
        var teamB = guard.ForTenant("team-b").InspectResponse(Prompt);

        Assert.False(byDefault.Blocked);
        Assert.Equal("Write to [EMAIL] about card [CREDIT_CARD].", byDefault.Text);
        Assert.True(teamB.Blocked);
        Assert.DoesNotContain("jane.roe@example.org", teamB.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("team-a")] // not listed under guardrails.tenants
    [InlineData("team-c")] // listed, with the default policy
    public void ForTenant_NoOwnPolicy_DefaultGuard(string tenant)
    {
        var guard = new GuardrailsEnvoyGuard(new GuardrailEngine(), Options);

        var selected = guard.ForTenant(tenant);

        Assert.Same(guard, selected);
        Assert.Equal("Write to [EMAIL] about card [CREDIT_CARD].", selected.InspectResponse(Prompt).Text);
    }

    [Fact]
    public void ForTenant_OwnPolicy_InheritsTheDefaultEntitiesAndStreamsWithIt()
    {
        var guard = (GuardrailsEnvoyGuard)new GuardrailsEnvoyGuard(new GuardrailEngine(), Options).ForTenant("team-b");

        Assert.Equal("strict", guard.Policy.Name);
        Assert.Equal(GuardAction.Block, guard.Policy.Pii.Action);
        Assert.Equal(["email", "credit_card"], guard.Policy.Pii.Entities);
        var output = guard.InspectResponse("mail me at jane.roe@example.org please");
        Assert.True(output.Blocked);
        Assert.DoesNotContain("jane.roe@example.org", output.Text, StringComparison.Ordinal);
    }

    // Regression: each request text got a vault of its own that was then dropped, so placeholders went upstream and came
    // back to the client as placeholders (tokenize was not reversible on the Envoy door). The request's texts are tokenized
    // by the pipeline's request step into the call's vault; the door's response guard restores from that vault.
    [Fact]
    public void WithVault_TokenizingPolicy_OriginalsRestoredInTheStreamAndWholeResponse()
    {
        var options = Parse(new Dictionary<string, string?>
        {
            ["guardrails:policies:tok:pii:action"] = "tokenize",
            ["guardrails:tenants:team-t:policy"] = "tok",
        });
        var engine = new GuardrailEngine();
        var tenant = (GuardrailsEnvoyGuard)new GuardrailsEnvoyGuard(engine, options).ForTenant("team-t");
        var vault = new GuardTokenVault();
        var first = engine.Inspect("Mail jane.roe@example.org today.", GuardDirection.Input, tenant.Policy, vault);
        var second = engine.Inspect("Again: jane.roe@example.org and john.doe@example.com.", GuardDirection.Input, tenant.Policy, vault);

        var call = tenant.WithVault(vault);

        Assert.Equal("tok", tenant.Policy.Name);
        Assert.Equal("Mail [EMAIL_1] today.", first.RedactedText);
        Assert.Equal("Again: [EMAIL_1] and [EMAIL_2].", second.RedactedText);
        Assert.Equal("Sent to jane.roe@example.org.", call.InspectResponse("Sent to [EMAIL_1].").Text);
        Assert.Equal("Sent to [EMAIL_1].", tenant.InspectResponse("Sent to [EMAIL_1].").Text);
    }

    // Regression: a whole response that moderation blocks was passed on unchanged (the blocked verdict kept the original text).
    [Fact]
    public void InspectResponse_ModerationFinding_TextCutBeforeIt()
    {
        var guard = new GuardrailsEnvoyGuard(new GuardrailEngine(), GuardPolicy.Default);

        var check = guard.InspectResponse("Here is the plan. I will kill them all tomorrow. More text.");

        Assert.True(check.Blocked);
        Assert.Equal("violence", check.Reason);
        Assert.DoesNotContain("kill", check.Text, StringComparison.Ordinal);
    }

    private static GuardrailsOptions Parse(Dictionary<string, string?> values)
    {
        var options = GuardrailsOptions.Parse(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), out var errors);
        Assert.Empty(errors);
        return options;
    }
}
