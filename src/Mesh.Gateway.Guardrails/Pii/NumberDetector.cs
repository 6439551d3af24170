using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>
/// One pass over the digits of the text: at each digit that starts a word it tries every enabled numeric shape
/// (card, SSN, phone, IPv4, Base58 wallet, Ethereum address) and keeps the longest; IBANs are tried from the two letters before a digit.
/// Every matcher reads a bounded number of characters and the scan then moves past the match or the word, so the whole pass is linear.
/// </summary>
internal static class NumberDetector
{
    internal const PiiKinds Handled = PiiKinds.CreditCard | PiiKinds.UsSsn | PiiKinds.Phone | PiiKinds.IpAddress | PiiKinds.Iban | PiiKinds.CryptoWallet;

    internal static void Scan(ReadOnlySpan<char> t, PiiKinds kinds, List<RawFinding> output)
    {
        if ((kinds & Handled) == 0)
        {
            return;
        }

        int i = 0;
        while (i < t.Length)
        {
            int rel = t[i..].IndexOfAnyInRange('0', '9');
            if (rel < 0)
            {
                return;
            }

            i += rel;
            if (!Chars.IsWordStart(t, i))
            {
                if ((kinds & PiiKinds.Iban) != 0 && i >= 2 && char.IsAsciiLetterUpper(t[i - 1]) && char.IsAsciiLetterUpper(t[i - 2]) && Chars.IsWordStart(t, i - 2))
                {
                    int e = IbanMatcher.Match(t, i - 2);
                    if (e > 0)
                    {
                        output.Add(new RawFinding(PiiEntityTypes.Iban, i - 2, e, IbanMatcher.Score));
                        i = e;
                        continue;
                    }
                }

                i = SkipWord(t, i);
                continue;
            }

            string? type = null;
            int bestStart = i;
            int bestEnd = 0;
            double bestScore = 0;

            void Consider(string candidateType, int start, int end, double score)
            {
                if (end > 0 && (end - start > bestEnd - bestStart || (end - start == bestEnd - bestStart && score > bestScore)))
                {
                    type = candidateType;
                    bestStart = start;
                    bestEnd = end;
                    bestScore = score;
                }
            }

            if ((kinds & PiiKinds.CreditCard) != 0)
            {
                Consider(PiiEntityTypes.CreditCard, i, CreditCardMatcher.Match(t, i), CreditCardMatcher.Score);
            }

            if ((kinds & PiiKinds.UsSsn) != 0)
            {
                int e = SsnMatcher.Match(t, i, out double sc);
                Consider(PiiEntityTypes.UsSsn, i, e, sc);
            }

            if ((kinds & PiiKinds.Phone) != 0)
            {
                int e = PhoneMatcher.Match(t, i, out int ps, out double sc);
                Consider(PiiEntityTypes.Phone, ps, e, sc);
            }

            if ((kinds & PiiKinds.IpAddress) != 0)
            {
                Consider(PiiEntityTypes.IpAddress, i, Ipv4Matcher.Match(t, i), Ipv4Matcher.Score);
            }

            if ((kinds & PiiKinds.CryptoWallet) != 0)
            {
                if (t[i] is '1' or '3')
                {
                    Consider(PiiEntityTypes.CryptoWallet, i, CryptoWalletMatcher.MatchBase58(t, i), CryptoWalletMatcher.Score);
                }
                else if (t[i] == '0')
                {
                    Consider(PiiEntityTypes.CryptoWallet, i, CryptoWalletMatcher.MatchEthereum(t, i), CryptoWalletMatcher.EthereumScore);
                }
            }

            if (type is not null)
            {
                output.Add(new RawFinding(type, bestStart, bestEnd, bestScore));
                i = bestEnd;
            }
            else
            {
                i = SkipWord(t, i);
            }
        }
    }

    private static int SkipWord(ReadOnlySpan<char> t, int i)
    {
        while (i < t.Length && Chars.IsWord(t[i]))
        {
            i++;
        }

        return i;
    }
}
