using PhoneNumbers;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>
/// International phone numbers checked against libphonenumber's metadata (country code, length and number pattern per
/// region and type). National numbers without a country code are not validated here: which country they belong to is unknown.
/// </summary>
internal static class PhoneValidator
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>Whether <paramref name="candidate"/> (starting with <c>+</c>, <c>(+</c> or, when <paramref name="plus"/> is false, the <c>00</c> prefix) is a valid number.</summary>
    internal static bool IsValidInternational(ReadOnlySpan<char> candidate, bool plus)
    {
        if (candidate.Length > 40)
        {
            return false;
        }

        string text = plus ? candidate.ToString() : string.Concat("+", candidate[2..]);
        try
        {
            var number = Util.Parse(text, "ZZ");
            return Util.IsValidNumber(number);
        }
        catch (NumberParseException)
        {
            return false; // not a number libphonenumber can read: the rule score stands
        }
    }
}
