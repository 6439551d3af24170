using Mesh.Gateway.Guardrails;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Guardrails.Tests.Configuration;

public sealed class GuardrailsOptionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void Parse_DocumentedShape_BindsDefaultNamedAndTenantPolicies()
    {
        var config = Config(
            ("guardrails:pii:action", "redact"),
            ("guardrails:pii:entities:0", "email"),
            ("guardrails:pii:entities:1", "credit_card"),
            ("guardrails:injection:threshold", "0.8"),
            ("guardrails:injection:action", "block"),
            ("guardrails:moderation:categories:hate", "0.6"),
            ("guardrails:policies:strict:pii:action", "block"),
            ("guardrails:tenants:acme:policy", "strict"),
            ("guardrails:tenants:acme:hash_key", "acme-secret"));

        var options = GuardrailsOptions.Parse(config, out var errors);

        Assert.Empty(errors);
        Assert.Equal(GuardAction.Redact, options.DefaultPolicy.Pii.Action);
        Assert.Equal(["email", "credit_card"], options.DefaultPolicy.Pii.Entities);
        Assert.Equal(0.8, options.DefaultPolicy.Injection.Threshold);
        Assert.Equal(0.6, options.DefaultPolicy.Moderation.Categories["hate"]);
        var strict = options.Resolve(tenantId: "acme")!;
        Assert.Equal("strict", strict.Name);
        Assert.Equal(GuardAction.Block, strict.Pii.Action);
        Assert.Equal(["email", "credit_card"], strict.Pii.Entities); // inherited from the top level
        Assert.Equal("acme-secret", strict.HashKey);
        Assert.Null(options.Resolve("missing"));
        Assert.Same(options.DefaultPolicy, options.Resolve());
    }

    [Fact]
    public void Parse_ClassifierTurnedOn_RefusedAtStartNamingTheKey()
    {
        var config = Config(("guardrails:moderation:classifier:enabled", "true"));

        GuardrailsOptions.Parse(config, out var errors);

        var error = Assert.Single(errors);
        Assert.StartsWith("guardrails.moderation.classifier.enabled: no remote classifier", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadValues_ErrorsNameTheKeyPath()
    {
        var config = Config(
            ("guardrails:pii:action", "shred"),
            ("guardrails:pii:entities:0", "passport_of_mars"),
            ("guardrails:injection:threshold", "1.5"),
            ("guardrails:injection:action", "mask"),
            ("guardrails:tenants:acme:policy", "nope"));

        GuardrailsOptions.Parse(config, out var errors);

        Assert.Contains(errors, e => e.StartsWith("guardrails.pii.action: must be one of", StringComparison.Ordinal) && e.Contains("'shred'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("guardrails.pii.entities: unknown entity type 'passport_of_mars'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e == "guardrails.injection.threshold: must be a number between 0 and 1 (was '1.5')");
        Assert.Contains(errors, e => e == "guardrails.injection.action: must be report or block (was 'mask')");
        Assert.Contains(errors, e => e.StartsWith("guardrails.tenants.acme.policy: names no policy", StringComparison.Ordinal));
    }

    [Fact]
    public void AddMeshGuardrails_InvalidSection_OptionsValidationListsKeys()
    {
        using var sp = new ServiceCollection().AddMeshGuardrails(Config(("guardrails:pii:threshold", "-1"))).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<GuardrailsOptions>());

        Assert.Contains("guardrails.pii.threshold", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMeshGuardrails_Valid_ResolvesEngineAndOptions()
    {
        using var sp = new ServiceCollection().AddMeshGuardrails(Config(("guardrails:pii:action", "mask"))).BuildServiceProvider();

        var engine = sp.GetRequiredService<IGuardrailEngine>();
        var options = sp.GetRequiredService<GuardrailsOptions>();
        Assert.Equal("*****", engine.Inspect("a@b.co", GuardDirection.Input, options.DefaultPolicy).RedactedText[..5]);
    }
}
