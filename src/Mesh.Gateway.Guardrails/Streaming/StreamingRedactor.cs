using System.Text;
using Mesh.Gateway.Guardrails.Internal;
using Mesh.Gateway.Guardrails.Telemetry;

namespace Mesh.Gateway.Guardrails;

/// <summary>
/// Redacts a stream of text deltas: it releases text as soon as no detector could still match across the next delta,
/// holding back only a bounded tail (<see cref="StreamPolicy.HoldBack"/>, extended to the start of an unbroken token or a
/// partial match, never past <see cref="StreamPolicy.MaxHoldBack"/>). Tokenization placeholders from the request side are
/// restored, moderation and blocking findings cut the stream.
/// </summary>
/// <remarks>One instance per stream (per choice); not thread-safe. Call <see cref="Push(ReadOnlySpan{char})"/> per delta and <see cref="Complete()"/> once at the end.</remarks>
public sealed class StreamingRedactor
{
    private const int ContextLength = 64;
    private readonly CompiledPolicy _policy;
    private readonly GuardDirection _direction;
    private readonly GuardTokenVault? _vault;
    // The window the detectors scan: the released context (its last ContextLength chars) followed by the held-back text,
    // in one reused buffer, so a delta costs no string for the window (the released text is the only string it makes).
    private char[] _window = new char[256];
    private int _contextLength;
    private int _windowLength;
    private string? _whole; // the caller's string while a final call scans it in place (released as is when unchanged)
    // Scratch reused by every delta (the hot path of a streamed response): findings, placeholders to restore, edits, output.
    private readonly List<RawFinding> _raw = [];
    private readonly List<(int Start, int End, string Original)> _restore = [];
    private readonly List<(int Start, int End, string? Replacement, RawFinding? Finding)> _edits = [];
    private readonly StringBuilder _released = new();
    private long _releasedCodePoints;
    private bool _completed;

    internal StreamingRedactor(GuardPolicy policy, GuardDirection direction, GuardTokenVault? vault)
    {
        _policy = policy.Compiled;
        _direction = direction;
        _vault = vault;
    }

    /// <summary>True once a blocking finding cut the stream; later deltas are dropped.</summary>
    public bool IsStopped { get; private set; }

    /// <summary>How many characters are currently held back.</summary>
    public int HeldBack => _windowLength - _contextLength;

    /// <summary>Accepts the next delta and returns what may be sent now.</summary>
    public StreamingOutput Push(ReadOnlySpan<char> delta)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (IsStopped)
        {
            return StreamingOutput.Empty;
        }

        Append(delta);
        return Process(final: false, _window.AsSpan(0, _windowLength));
    }

    /// <summary>Accepts the next delta and returns what may be sent now.</summary>
    public StreamingOutput Push(string delta) => Push(delta.AsSpan());

    /// <summary>Ends the stream with its last delta: the same as <see cref="Push(ReadOnlySpan{char})"/> then
    /// <see cref="Complete()"/>, but the text is scanned once (a whole unary answer is one delta).</summary>
    public StreamingOutput Complete(ReadOnlySpan<char> last) => Complete(last, whole: null);

    /// <summary>Ends the stream with its last delta, as <see cref="Complete(ReadOnlySpan{char})"/>; when nothing was held and
    /// nothing in <paramref name="last"/> is changed, the released text is <paramref name="last"/> itself, not a copy.</summary>
    public StreamingOutput Complete(string last)
    {
        ArgumentNullException.ThrowIfNull(last);
        return Complete(last.AsSpan(), last);
    }

    private StreamingOutput Complete(ReadOnlySpan<char> last, string? whole)
    {
        if (_completed || IsStopped)
        {
            _completed = true;
            return StreamingOutput.Empty;
        }

        if (_windowLength > 0)
        {
            Append(last);
            return Complete();
        }

        // Nothing held (a whole unary answer is one delta): the caller's text is the window, scanned where it is.
        _whole = whole;
        var output = Process(final: true, last);
        _whole = null;
        _completed = true;
        return output;
    }

    /// <summary>Ends the stream: releases everything still held back (redacted).</summary>
    public StreamingOutput Complete()
    {
        if (_completed || IsStopped)
        {
            _completed = true;
            return StreamingOutput.Empty;
        }

        var output = Process(final: true, _window.AsSpan(0, _windowLength));
        _completed = true;
        return output;
    }

    // window: the buffer (context then held-back text), or for a final call with nothing held, the caller's own text.
    private StreamingOutput Process(bool final, ReadOnlySpan<char> window)
    {
        var sp = _policy.Source.Stream;
        if (!final && HeldBack <= sp.HoldBack)
        {
            return StreamingOutput.Empty;
        }

        int ctx = _contextLength;
        var raw = _raw;
        raw.Clear();
        GuardrailEngine.Analyze(window, _direction, _policy, raw, injectionOverride: null, moderationOverride: null);

        // Findings wholly inside the already-released context were handled when they were released.
        raw.RemoveWhere(static (f, ctx) => f.End <= ctx, ctx);

        // A blocking finding cuts the stream: release what precedes it (if it was safe), then stop.
        RawFinding? block = null;
        foreach (var f in raw)
        {
            if (f.Action == GuardAction.Block && (block is null || f.Start < block.Value.Start))
            {
                block = f;
            }
        }

        if (block is { } b)
        {
            IsStopped = true;
            int cutAt = Math.Max(ctx, b.Start);
            foreach (var f in raw)
            {
                if (f.Kind == FindingKind.Pii && f.Start < cutAt && f.End > cutAt)
                {
                    cutAt = Math.Max(ctx, f.Start);
                }
            }

            raw.RemoveWhere(static (f, s) => f.Start < s.ctx || f.End > s.cutAt || f.Kind != FindingKind.Pii, (ctx, cutAt));
            var partial = Release(window, ctx, cutAt, raw);
            var blocked = new GuardFinding(b.Type, 0, 0, Math.Round(b.Score, 4), GuardAction.Block);
            GuardrailsTelemetry.Record(_direction, _policy.Source.Name, GuardVerdict.Block, [.. partial.Findings, blocked]);
            return partial with { Stopped = true, FinishReason = sp.FinishReason, StopReason = b.Type };
        }

        var restore = _restore;
        restore.Clear();
        int cut = final ? window.Length : window.Length - sp.HoldBack;
        if (_vault is not null)
        {
            FindPlaceholders(window, ctx, final, restore, ref cut);
        }

        if (!final)
        {
            foreach (var f in raw)
            {
                if (f.Kind == FindingKind.Pii && f.Start < cut && f.End > cut)
                {
                    cut = f.Start;
                }
            }

            // Do not split an unbroken token: an address or key may continue in the next delta.
            int tokenStart = cut;
            while (tokenStart > ctx && tokenStart < window.Length && !char.IsWhiteSpace(window[tokenStart - 1]) && !char.IsWhiteSpace(window[tokenStart]))
            {
                tokenStart--;
            }

            cut = tokenStart;
            if (window.Length - ctx - (cut - ctx) > sp.MaxHoldBack)
            {
                cut = window.Length - sp.HoldBack; // bounded: an endless token is released rather than held forever
            }
        }

        if (cut <= ctx)
        {
            return StreamingOutput.Empty;
        }

        raw.RemoveWhere(static (f, s) => f.Kind != FindingKind.Pii || f.Start < s.ctx || f.End > s.cut, (ctx, cut));
        restore.RemoveWhere(static (r, cut) => r.End > cut, cut);
        var output = Release(window, ctx, cut, raw, restore);
        if (!final)
        {
            // Keep the last ContextLength released chars as the next window's context, then what is still held back: both are
            // the window's tail from keepFrom, moved to the buffer's start.
            int keepFrom = Math.Max(0, cut - ContextLength);
            int kept = _windowLength - keepFrom;
            _window.AsSpan(keepFrom, kept).CopyTo(_window);
            _contextLength = cut - keepFrom;
            _windowLength = kept;
        }

        if (output.Findings.Count > 0 || final)
        {
            // Per delta only when something was found: a span event for every clean delta of a long stream is noise.
            GuardrailsTelemetry.Record(_direction, _policy.Source.Name, output.Findings.Count > 0 ? GuardVerdict.Redacted : GuardVerdict.Allow, output.Findings);
        }

        return output;
    }

    private void Append(ReadOnlySpan<char> delta)
    {
        if (_windowLength + delta.Length > _window.Length)
        {
            Array.Resize(ref _window, Math.Max(_window.Length * 2, _windowLength + delta.Length));
        }

        delta.CopyTo(_window.AsSpan(_windowLength));
        _windowLength += delta.Length;
    }

    private static int IndexOfBracket(ReadOnlySpan<char> window, int from)
    {
        int i = window[from..].IndexOf('[');
        return i < 0 ? -1 : from + i;
    }

    private void FindPlaceholders(ReadOnlySpan<char> window, int ctx, bool final, List<(int, int, string)> restore, ref int cut)
    {
        int i = IndexOfBracket(window, ctx);
        while (i >= 0)
        {
            int len = PlaceholderSyntax.MatchLength(window[i..]);
            if (len < 0)
            {
                if (!final)
                {
                    cut = Math.Min(cut, i); // may still become a placeholder
                }

                break;
            }

            if (len > 0 && _vault!.TryGetOriginal(window.Slice(i, len), out string original))
            {
                restore.Add((i, i + len, original));
                if (i < cut && i + len > cut)
                {
                    cut = i;
                }

                i = IndexOfBracket(window, i + len);
            }
            else
            {
                i = IndexOfBracket(window, i + 1);
            }
        }
    }

    private StreamingOutput Release(ReadOnlySpan<char> window, int ctx, int cut, List<RawFinding> pii, List<(int Start, int End, string Original)>? restore = null)
    {
        var edits = _edits;
        edits.Clear();
        foreach (var f in pii)
        {
            string? replacement = Redactor.Replacement(window.Slice(f.Start, f.Length), f.Type, f.Action, _policy, _vault);
            edits.Add((f.Start, f.End, replacement, f));
        }

        if (restore is not null)
        {
            foreach (var r in restore)
            {
                bool overlaps = false;
                foreach (var f in pii)
                {
                    overlaps |= f.Start < r.End && r.Start < f.End;
                }

                if (!overlaps)
                {
                    edits.Add((r.Start, r.End, r.Original, null));
                }
            }
        }

        if (edits.Count > 1)
        {
            edits.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        }

        var sb = _released.Clear();
        List<GuardFinding>? findings = null;
        int copied = ctx;
        long baseCp = _releasedCodePoints;
        foreach (var (start, end, replacement, finding) in edits)
        {
            if (start < copied)
            {
                continue;
            }

            if (finding is { } f)
            {
                int s = (int)(baseCp + CodePoints.Count(window.Slice(ctx, start - ctx)));
                int e = s + CodePoints.Count(window.Slice(start, end - start));
                (findings ??= []).Add(new GuardFinding(f.Type, s, e, Math.Round(f.Score, 4), f.Action));
            }

            if (replacement is null)
            {
                continue;
            }

            sb.Append(window.Slice(copied, start - copied)).Append(replacement);
            copied = end;
        }

        // Nothing replaced: the released text is the window's slice, made a string once.
        string text = copied != ctx
            ? sb.Append(window.Slice(copied, cut - copied)).ToString()
            : _whole is { } whole && ctx == 0 && cut == whole.Length ? whole : new string(window[ctx..cut]);

        _releasedCodePoints += CodePoints.Count(window.Slice(ctx, cut - ctx));
        return new StreamingOutput { Text = text, Findings = findings ?? (IReadOnlyList<GuardFinding>)[] };
    }
}
