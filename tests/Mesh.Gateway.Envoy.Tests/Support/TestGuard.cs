using System.Text;
using System.Text.RegularExpressions;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Envoy.Processing;

namespace Mesh.Gateway.Envoy.Tests.Support;

/// <summary>A small stand-in for the response steps as the SSE reader feeds them: e-mails and 16-digit card numbers redacted.
/// The stream guard holds back the last 40 characters so a value split across deltas is still caught, and holds tool calls
/// until the end of their run: a call of a tool named "delete*" cuts the answer, others go on with their arguments redacted.</summary>
/// <remarks>The SSE reader's tests use it to check the reader's translation (splices, held events, cut signals) apart from
/// the real steps, which the session and parity tests run.</remarks>
internal sealed partial class TestGuard : IResponseStreamGuard
{
    private const int Hold = 40;
    private readonly StringBuilder _pending = new();
    private readonly SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)> _calls = [];

    internal static string Redact(string text) => Card().Replace(Email().Replace(text, "[EMAIL]"), "[CREDIT_CARD]");

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    [GeneratedRegex(@"\b(?:\d[ -]?){15}\d\b")]
    private static partial Regex Card();

    public StreamGuardOutput Push(string delta)
    {
        _pending.Append(delta);
        var text = Redact(_pending.ToString());
        if (text.Length <= Hold)
        {
            _pending.Clear().Append(text);
            return new StreamGuardOutput(string.Empty, false);
        }

        // Release up to the hold-back window (values never contain spaces... except cards, which are redacted as a whole once
        // complete).
        var cut = text.Length - Hold;
        var release = text[..cut];
        _pending.Clear().Append(text[cut..]);
        return new StreamGuardOutput(release, false);
    }

    public StreamGuardOutput PushToolCalls(IReadOnlyList<ChatToolCallDelta> pieces)
    {
        foreach (var piece in pieces)
        {
            if (!_calls.TryGetValue(piece.Index, out var call))
            {
                call = (null, null, new StringBuilder());
            }

            call.Arguments.Append(piece.ArgumentsFragment);
            _calls[piece.Index] = (call.Id ?? piece.Id, call.Name ?? piece.Name, call.Arguments);
        }

        return new StreamGuardOutput(string.Empty, false);
    }

    public StreamGuardOutput EndRun()
    {
        var rest = Redact(_pending.ToString());
        _pending.Clear();
        if (_calls.Count == 0)
        {
            return new StreamGuardOutput(rest, false);
        }

        var released = new List<ChatToolCallDelta>();
        foreach (var (index, call) in _calls)
        {
            if (call.Name?.StartsWith("delete", StringComparison.Ordinal) == true)
            {
                _calls.Clear();
                return new StreamGuardOutput(rest, true);
            }

            released.Add(new ChatToolCallDelta { Index = index, Id = call.Id, Name = call.Name, ArgumentsFragment = Redact(call.Arguments.ToString()) });
        }

        _calls.Clear();
        return new StreamGuardOutput(rest, false, ToolCalls: released);
    }
}
