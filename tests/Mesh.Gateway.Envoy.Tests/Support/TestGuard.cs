using System.Text;
using System.Text.RegularExpressions;
using Mesh.Gateway.Envoy.Guarding;

namespace Mesh.Gateway.Envoy.Tests.Support;

/// <summary>A small stand-in for the response guardrails: e-mails and 16-digit card numbers redacted, "BLOCKME" blocked.
/// The stream guard holds back the last 40 characters so a value split across deltas is still caught.</summary>
internal sealed partial class TestGuard(bool responses = true) : IEnvoyGuard
{
    public bool InspectsResponses => responses;

    // Tools whose name starts with "delete" are not allowed (a streamed call is judged by its name).
    public bool AllowsTool(string name) => !name.StartsWith("delete", StringComparison.Ordinal);

    public IEnvoyGuard ForTenant(string tenantId) => this;

    public IEnvoyGuard WithVault(Mesh.Gateway.Guardrails.GuardTokenVault vault) => this;

    public GuardCheck InspectResponse(string text) => Check(text);

    public IEnvoyStreamGuard CreateResponseStream() => new Stream();

    private static GuardCheck Check(string text)
    {
        if (text.Contains("BLOCKME", StringComparison.Ordinal))
        {
            return new GuardCheck(true, "Blocked: the prompt breaks the content policy.", text, false);
        }

        var redacted = Redact(text);
        return new GuardCheck(false, null, redacted, redacted != text);
    }

    internal static string Redact(string text) => Card().Replace(Email().Replace(text, "[EMAIL]"), "[CREDIT_CARD]");

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    [GeneratedRegex(@"\b(?:\d[ -]?){15}\d\b")]
    private static partial Regex Card();

    private sealed class Stream : IEnvoyStreamGuard
    {
        private const int Hold = 40;
        private readonly StringBuilder _pending = new();

        public StreamGuardOutput Push(string delta)
        {
            _pending.Append(delta);
            var text = Redact(_pending.ToString());
            if (text.Length <= Hold)
            {
                _pending.Clear().Append(text);
                return new StreamGuardOutput(string.Empty, false);
            }

            // Release up to a whitespace boundary before the hold-back window (values never contain spaces... except cards,
            // which are redacted as a whole once complete).
            var cut = text.Length - Hold;
            var release = text[..cut];
            _pending.Clear().Append(text[cut..]);
            return new StreamGuardOutput(release, false);
        }

        public StreamGuardOutput Complete()
        {
            var rest = Redact(_pending.ToString());
            _pending.Clear();
            return new StreamGuardOutput(rest, false);
        }
    }
}
