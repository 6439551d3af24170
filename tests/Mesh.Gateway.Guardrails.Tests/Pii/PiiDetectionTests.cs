using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.Guardrails.Tests.Pii;

public sealed class PiiDetectionTests
{
    private static readonly GuardrailEngine Engine = new();
    private static readonly GuardPolicy PiiOnly = new()
    {
        Injection = new InjectionPolicy { Enabled = false },
        Moderation = new ModerationPolicy { Enabled = false },
    };

    [Fact]
    public void Inspect_EmailAndCard_RedactsWithTypedLabels()
    {
        var result = Engine.Inspect("Mail john.doe@example.com, card 4111 1111 1111 1111 please.", GuardDirection.Input, PiiOnly);

        Assert.Equal(GuardVerdict.Redacted, result.Verdict);
        Assert.Equal("Mail [EMAIL], card [CREDIT_CARD] please.", result.RedactedText);
        Assert.Collection(
            result.Findings,
            f => Assert.Equal(("email", 5, 25), (f.Type, f.Start, f.End)),
            f => Assert.Equal(("credit_card", 32, 51), (f.Type, f.Start, f.End)));
    }

    [Fact]
    public void Inspect_LuhnInvalidCard_NotAFinding()
    {
        var result = Engine.Inspect("my credit card number is 4012-8888-8888-1882", GuardDirection.Input, PiiOnly);

        Assert.DoesNotContain(result.Findings, f => f.Type == "credit_card");
    }

    [Fact]
    public void Inspect_OffsetsAreCodePoints_WhenTextHasSurrogatePairs()
    {
        // "😀" is two UTF-16 units and one code point.
        var result = Engine.Inspect("😀 a@b.io", GuardDirection.Input, PiiOnly);

        var f = Assert.Single(result.Findings);
        Assert.Equal((2, 8), (f.Start, f.End));
        Assert.Equal((3, 9), (f.Utf16Start, f.Utf16End));
    }

    [Theory]
    [InlineData("call (415) 555-0132 now", "phone")]
    [InlineData("+44 20 7123 4567", "phone")]
    [InlineData("ssn 078-05-1123", "us_ssn")]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00", "iban")]
    [InlineData("server 192.168.0.1", "ip_address")]
    [InlineData("server 2001:db8::1", "ip_address")]
    [InlineData("see https://example.com/x?y=1", "url")]
    [InlineData("key AKIAIOSFODNN7EXAMPLE", "aws_access_key")]
    [InlineData("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "github_token")]
    [InlineData("sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789", "anthropic_api_key")]
    [InlineData("sk-proj-abc123def456ghi789jkl012mno345", "openai_api_key")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt")]
    [InlineData("password: Zx9vQ2mL7pR4tW8kY3nB", "secret")]
    [InlineData("wallet 16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ", "crypto_wallet")]
    public void Inspect_KnownShape_IsFound(string text, string type)
    {
        var result = Engine.Inspect(text, GuardDirection.Input, PiiOnly);

        Assert.Contains(result.Findings, f => f.Type == type);
        Assert.DoesNotContain(result.RedactedText, text[^6..]);
    }

    [Theory]
    [InlineData("The meeting is at 10:30 on 2024-01-15, room 42.")]
    [InlineData("Version 1.2.3 was released; see README.md and main.py for details.")]
    [InlineData("We sold 1,234,567 units in 2023 for $12.50 each.")]
    [InlineData("std::vector<int> v; a::b::c")]
    public void Inspect_CleanText_HasNoFindings(string text)
    {
        var result = Engine.Inspect(text, GuardDirection.Input, PiiOnly);

        Assert.Empty(result.Findings);
        Assert.Equal(text, result.RedactedText);
    }

    [Fact]
    public void Inspect_PemPrivateKey_IsRedactedWhole()
    {
        string pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234567890abcdefghijklmnopqrstuvwxyzABCDEF\nQWERTYUIOP\n-----END RSA PRIVATE KEY-----";
        var result = Engine.Inspect("key:\n" + pem + "\nthanks", GuardDirection.Input, PiiOnly);

        Assert.Equal("key:\n[PRIVATE_KEY]\nthanks", result.RedactedText);
    }
}
