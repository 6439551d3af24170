using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.Guardrails.Tests.Pii;

/// <summary>
/// National identifiers and passports through the engine with the default PII policy (every type on, threshold 0.5), on the
/// example numbers their issuers publish (NHS Digital, BZSt, INSEE's documentation, ICAO 9303's specimen passport) and on
/// the same numbers with one character changed, which their check digits reject.
/// </summary>
public sealed class NationalIdTests
{
    private static readonly GuardrailEngine Engine = new();
    private static readonly GuardPolicy PiiOnly = new()
    {
        Injection = new InjectionPolicy { Enabled = false },
        Moderation = new ModerationPolicy { Enabled = false },
    };

    [Theory]
    [InlineData("My NHS number is 943 476 5919.", "uk_nhs", "943 476 5919")]
    [InlineData("TFN: 876 543 210", "au_tfn", "876 543 210")]
    [InlineData("mijn BSN is 111222333", "nl_bsn", "111222333")]
    [InlineData("Steuer-ID 86095742719 bitte eintragen", "de_tax_id", "86095742719")]
    [InlineData("Aadhaar 4991 1866 5246 linked", "in_aadhaar", "4991 1866 5246")]
    [InlineData("n° de sécurité sociale : 1 84 12 76 451 089 46", "fr_insee", "1 84 12 76 451 089 46")]
    [InlineData("NIR 269054958815780", "fr_insee", "269054958815780")]
    [InlineData("Mi DNI es 12345678Z.", "es_dni", "12345678Z")]
    [InlineData("NIE X1234567L en vigor", "es_nie", "X1234567L")]
    [InlineData("NI number AB 12 34 56 C on file", "uk_nino", "AB 12 34 56 C")]
    [InlineData("Codice fiscale RSSMRA85T10A562S", "it_fiscal_code", "RSSMRA85T10A562S")]
    [InlineData("passport number: A12803456", "passport", "A12803456")]
    [InlineData("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10", "passport", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")]
    public void Inspect_PublishedExample_FoundAndRedactedWithItsType(string text, string type, string value)
    {
        var result = Engine.Inspect(text, GuardDirection.Input, PiiOnly);

        var f = Assert.Single(result.Findings);
        Assert.Equal(type, f.Type);
        Assert.Equal(value, text[f.Utf16Start..f.Utf16End]);
        Assert.DoesNotContain(value, result.RedactedText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("My NHS number is 943 476 5918.")]
    [InlineData("TFN: 876 543 211")]
    [InlineData("mijn BSN is 111222334")]
    [InlineData("Steuer-ID 86095742718 bitte eintragen")]
    [InlineData("Aadhaar 4991 1866 5247 linked")]
    [InlineData("n° de sécurité sociale : 1 84 12 76 451 089 47")]
    [InlineData("Mi DNI es 12345678A.")]
    [InlineData("NIE X1234567M en vigor")]
    [InlineData("NI number QQ 12 34 56 C on file")] // Q is never a NINO's first letter (QQ is HMRC's specimen prefix)
    [InlineData("NI number AD 12 34 56 C on file")]
    [InlineData("Codice fiscale RSSMRA85T10A562T")]
    [InlineData("L898902C36UTO7408122F1204159ZE184226B<<<<<11")]
    public void Inspect_OneCharacterChanged_NoNationalIdFinding(string text)
    {
        var result = Engine.Inspect(text, GuardDirection.Input, PiiOnly);

        // (The phone shapes may still claim some of these digit groups: that is the phone detector's call.)
        Assert.DoesNotContain(result.Findings, f => PiiEntityTypes.NationalIds.Contains(f.Type));
    }

    [Theory]
    [InlineData("ref 943 476 5919 attached")]
    [InlineData("order 876543210 shipped")]
    [InlineData("the count was 86095742719 in total")]
    public void Inspect_ChecksumValidDigitsWithoutAContextWord_UnderTheDefaultThreshold(string text)
    {
        // A bare run of digits passes a mod-11 check one time in eleven: it takes a context word to be a finding.
        var result = Engine.Inspect(text, GuardDirection.Input, PiiOnly);

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Inspect_NationalIdsGroup_NamesEveryType_AndOtherTypesStayOff()
    {
        var policy = PiiOnly with { Pii = new PiiPolicy { Entities = ["national_ids"] } };

        var result = Engine.Inspect("DNI 12345678Z, mail a@b.io", GuardDirection.Input, policy);

        var f = Assert.Single(result.Findings);
        Assert.Equal("es_dni", f.Type);
    }

    [Fact]
    public void Inspect_UsPhoneNumberWithAValidNhsChecksum_StaysAPhone()
    {
        // 401-023-2137 passes the NHS check; without the word "NHS" the phone shape wins.
        var result = Engine.Inspect("call me at 401-023-2137", GuardDirection.Input, PiiOnly);

        Assert.All(result.Findings, f => Assert.NotEqual("uk_nhs", f.Type));
    }
}
