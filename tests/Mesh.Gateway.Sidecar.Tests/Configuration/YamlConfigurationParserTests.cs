using Mesh.Gateway.Sidecar.Configuration;

namespace Mesh.Gateway.Sidecar.Tests.Configuration;

public sealed class YamlConfigurationParserTests
{
    private static readonly Dictionary<string, string> Environment = new(StringComparer.Ordinal)
    {
        ["OPENAI_KEY"] = "sk-test",
        ["EMPTY"] = string.Empty,
    };

    private static YamlConfigurationDocument Parse(string yaml) =>
        YamlConfigurationParser.Parse(new StringReader(yaml), "gateway.yaml", name => Environment.GetValueOrDefault(name));

    private static ConfigurationFileException ParseFails(string yaml) => Assert.Throws<ConfigurationFileException>(() => Parse(yaml));

    [Fact]
    public void Parse_NestedMappingsAndSequences_FlattenToConfigurationKeys()
    {
        var document = Parse("""
            tenants:
              - name: acme
                api_keys: [k1, k2]
                limits:
                  requests_per_minute: 60
              - name: globex
            listen:
              grpc: 127.0.0.1:1
            """);

        Assert.Equal("acme", document.Data["tenants:0:name"]);
        Assert.Equal("k1", document.Data["tenants:0:api_keys:0"]);
        Assert.Equal("k2", document.Data["tenants:0:api_keys:1"]);
        Assert.Equal("60", document.Data["tenants:0:limits:requests_per_minute"]);
        Assert.Equal("globex", document.Data["tenants:1:name"]);
        Assert.Equal("127.0.0.1:1", document.Data["listen:grpc"]);
        Assert.Equal(["tenants", "listen"], document.TopLevelKeys.Select(k => k.Name));
        Assert.Equal([1L, 7L], document.TopLevelKeys.Select(k => k.Line));
    }

    [Fact]
    public void Parse_SnakeCaseNames_KeptAsWrittenAndLookedUpCaseInsensitively()
    {
        var document = Parse("guardrails:\n  pii_entities: [EMAIL]\n");

        Assert.Contains("guardrails:pii_entities:0", document.Data.Keys);
        Assert.Equal("EMAIL", document.Data["GUARDRAILS:PII_ENTITIES:0"]);
    }

    [Fact]
    public void Parse_NullAndEmptyValues_BecomeEmptyStringOrEmptySection()
    {
        var document = Parse("a: ~\nb:\nc: {}\nd: []\ne: ''\n");

        Assert.Equal(string.Empty, document.Data["a"]);
        Assert.Equal(string.Empty, document.Data["b"]);
        Assert.Null(document.Data["c"]);
        Assert.Null(document.Data["d"]);
        Assert.Equal(string.Empty, document.Data["e"]);
    }

    [Fact]
    public void Parse_QuotedNull_StaysAString()
    {
        Assert.Equal("null", Parse("a: 'null'\n").Data["a"]);
    }

    [Fact]
    public void Parse_EmptyFile_HasNoKeys()
    {
        Assert.Empty(Parse(string.Empty).Data);
        Assert.Empty(Parse("# only a comment\n").Data);
    }

    [Fact]
    public void Parse_EnvironmentReferences_Expanded()
    {
        var document = Parse("""
            a: ${OPENAI_KEY}
            b: "Bearer ${OPENAI_KEY}!"
            c: ${MISSING:-fallback}
            d: ${EMPTY:-used when empty}
            e: ${MISSING:-}
            f: $${OPENAI_KEY}
            g: price $5
            """);

        Assert.Equal("sk-test", document.Data["a"]);
        Assert.Equal("Bearer sk-test!", document.Data["b"]);
        Assert.Equal("fallback", document.Data["c"]);
        Assert.Equal("used when empty", document.Data["d"]);
        Assert.Equal(string.Empty, document.Data["e"]);
        Assert.Equal("${OPENAI_KEY}", document.Data["f"]);
        Assert.Equal("price $5", document.Data["g"]);
    }

    [Fact]
    public void Parse_UnsetVariableWithoutDefault_ErrorNamesKeyLineAndVariable()
    {
        var error = ParseFails("providers:\n  - name: openai\n    api_key: ${OPENAI_API_KEY}\n");

        Assert.Equal(
            "gateway.yaml:3:14: providers[0].api_key: environment variable OPENAI_API_KEY is not set and has no default (write ${OPENAI_API_KEY:-default} to give one)",
            error.Message);
    }

    [Theory]
    [InlineData("a: ${UNTERMINATED", "unterminated")]
    [InlineData("a: ${1BAD}", "not a valid environment variable reference")]
    [InlineData("a: ${}", "not a valid environment variable reference")]
    public void Parse_MalformedReference_Fails(string yaml, string expected)
    {
        Assert.Contains(expected, ParseFails(yaml).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadYaml_ErrorHasFileLineAndColumn()
    {
        var error = ParseFails("listen:\n  grpc: [unclosed\n");

        Assert.StartsWith("gateway.yaml:3:1: invalid YAML: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Line:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TabIndentation_ErrorHasPosition()
    {
        var error = ParseFails("listen:\n  grpc: a\n\tadmin: x\n");

        Assert.Matches(@"^gateway\.yaml:\d+:\d+: invalid YAML: \S", error.Message);
    }

    [Fact]
    public void Parse_DuplicateKeyDifferingInCase_Fails()
    {
        var error = ParseFails("listen:\n  grpc: a\n  GRPC: b\n");

        Assert.Equal("gateway.yaml:3:3: duplicate key 'listen.GRPC' (keys are case-insensitive)", error.Message);
    }

    [Fact]
    public void Parse_TopLevelSequence_Fails()
    {
        Assert.Contains("the top level must be a mapping", ParseFails("- a\n- b\n").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoDocuments_Fails()
    {
        Assert.Contains("one YAML document", ParseFails("a: 1\n---\nb: 2\n").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeyWithColon_Fails()
    {
        Assert.Contains("keys must be plain names", ParseFails("\"a:b\": 1\n").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Anchors_ResolvedToTheirValues()
    {
        var document = Parse("base: &b\n  x: 1\ncopy: *b\n");

        Assert.Equal("1", document.Data["copy:x"]);
    }
}
