using Mesh.Gateway.Core.Prompts;
using Microsoft.Extensions.Configuration;
using static Mesh.Gateway.Core.Tests.Prompts.PromptFixtures;

namespace Mesh.Gateway.Core.Tests.Prompts;

public sealed class PromptRegistryTests
{
    private static IReadOnlyList<string> Errors(params PromptTemplateOptions[] templates)
    {
        Assert.Null(PromptRegistry.TryCreate(new PromptsOptions { Templates = templates }, out var errors));
        return errors;
    }

    [Fact]
    public void TryCreate_ValidTemplates_Compiles()
    {
        var registry = PromptRegistry.TryCreate(new PromptsOptions { Templates = [Summarize, Extract, Answer] }, out var errors);

        Assert.Empty(errors);
        Assert.Equal(["summarize", "extract", "answer"], registry!.Names);
    }

    [Fact]
    public void TryCreate_PlaceholderNamesNoVariable_FailsNamingThePath()
    {
        var template = Extract with { Versions = [Version("1", "m", "{{text}} and {{missing}}")] };

        var error = Assert.Single(Errors(template));

        Assert.Equal("prompts.templates[0].versions[0].messages[1].content: '{{missing}}' names no declared variable", error);
    }

    [Fact]
    public void TryCreate_LabelPointsAtNoVersion_Fails()
    {
        var template = Extract with { Labels = new Dictionary<string, PromptLabelOptions> { ["production"] = new() { Version = "7" } } };

        Assert.Equal("prompts.templates[0].labels.production: version '7' is not defined", Assert.Single(Errors(template)));
    }

    [Fact]
    public void TryCreate_BadVariables_OneErrorEach()
    {
        var template = Extract with
        {
            Variables =
            [
                new() { Name = "text" },
                new() { Name = "n", Type = "number", Default = "many" },
                new() { Name = "e", Type = "enum" },
                new() { Name = "x", Type = "date" },
            ],
        };

        var errors = Errors(template);

        Assert.Contains("prompts.templates[0].variables[1].default: 'many' is not a number", errors);
        Assert.Contains("prompts.templates[0].variables[2].values: an enum needs its values", errors);
        Assert.Contains("prompts.templates[0].variables[3].type: 'date' is not one of string, number, boolean, enum", errors);
    }

    [Fact]
    public void TryCreate_ChainCycle_RefusedAtStart()
    {
        var a = Extract with { Name = "a", Variables = [new() { Name = "text", From = "b" }] };
        var b = Extract with { Name = "b", Variables = [new() { Name = "text", From = "a" }] };

        Assert.Contains(Errors(a, b), static e => e.Contains("chains back to itself", StringComparison.Ordinal));
    }

    [Fact]
    public void TryCreate_ChainLongerThanTheBound_Refused()
    {
        PromptTemplateOptions Link(string name, string? from) => Extract with
        {
            Name = name,
            Variables = from is null ? [new() { Name = "text" }] : [new() { Name = "text", From = from }],
        };

        var errors = Errors(Link("p1", "p2"), Link("p2", "p3"), Link("p3", "p4"), Link("p4", "p5"), Link("p5", null));

        Assert.Contains(errors, static e => e.Contains($"longer than {PromptRegistry.MaxChainLength} prompts", StringComparison.Ordinal));
    }

    [Fact]
    public void TryCreate_ChainFromUnknownPrompt_Refused()
    {
        var template = Answer;

        Assert.Contains("prompts.templates[0].variables[0].from: prompt 'extract' is not defined", Errors(template));
    }

    [Fact]
    public void TryCreate_DuplicateNameAndBadDecorator_Refused()
    {
        Assert.Null(PromptRegistry.TryCreate(
            new PromptsOptions { Templates = [Extract, Extract], Decorators = [new() { Position = "middle", Content = "x" }] },
            out var errors));

        Assert.Contains("prompts.templates[1].name: 'extract' is defined twice", errors);
        Assert.Contains("prompts.decorators[0].position: 'middle' is not one of prepend, append", errors);
    }

    [Fact]
    public void Bind_Yamlish_ReadsTemplatesLabelsAndDecorators()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["prompts:templates:0:name"] = "greet",
            ["prompts:templates:0:variables:0:name"] = "who",
            ["prompts:templates:0:variables:1:name"] = "times",
            ["prompts:templates:0:variables:1:type"] = "number",
            ["prompts:templates:0:variables:1:default"] = "1",
            ["prompts:templates:0:versions:0:version"] = "1",
            ["prompts:templates:0:versions:0:model"] = "chat",
            ["prompts:templates:0:versions:0:max_output_tokens"] = "64",
            ["prompts:templates:0:versions:0:messages:0:content"] = "Hi {{who}} x{{times}}",
            ["prompts:templates:0:versions:1:version"] = "2",
            ["prompts:templates:0:versions:1:model"] = "chat",
            ["prompts:templates:0:versions:1:messages:0:content"] = "Hello {{who}}",
            ["prompts:templates:0:labels:production"] = "1",
            ["prompts:templates:0:labels:ab:weights:1"] = "50",
            ["prompts:templates:0:labels:ab:weights:2"] = "50",
            ["prompts:templates:0:labels:ab:sticky"] = "tenant",
            ["prompts:decorators:0:tenants:0"] = "acme",
            ["prompts:decorators:0:content"] = "Be kind.",
            ["prompts:decorators:0:position"] = "append",
        }).Build();

        var options = PromptsOptionsBinder.Bind(configuration, out var bindErrors);
        var registry = PromptRegistry.TryCreate(options, out var errors);

        Assert.Empty(bindErrors);
        Assert.Empty(errors);
        Assert.NotNull(registry);
        var template = Assert.Single(options.Templates);
        Assert.Equal(64, template.Versions[0].MaxOutputTokens);
        Assert.Equal("1", template.Labels["production"].Version);
        Assert.Equal("tenant", template.Labels["ab"].Sticky);
        Assert.Equal(2, template.Labels["ab"].Weights.Count);
        Assert.Equal(["acme"], options.Decorators[0].Tenants);
    }

    [Fact]
    public void Bind_UnknownKeyAndBadNumber_ReportedWithTheirPaths()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["prompts:templates:0:name"] = "greet",
            ["prompts:templates:0:colour"] = "red",
            ["prompts:templates:0:versions:0:temperature"] = "hot",
        }).Build();

        PromptsOptionsBinder.Bind(configuration, out var bindErrors);

        Assert.Contains(bindErrors, static e => e.StartsWith("prompts.templates[0].colour: unknown key", StringComparison.Ordinal));
        Assert.Contains("prompts.templates[0].versions[0].temperature: 'hot' is not a number", bindErrors);
    }
}
