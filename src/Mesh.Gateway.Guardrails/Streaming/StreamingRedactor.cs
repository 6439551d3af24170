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
    private readonly StringBuilder _pending = new();
    // Scratch reused by every delta (the hot path of a streamed response): findings, placeholders to restore, edits, output.
    private readonly List<RawFinding> _raw = [];
    private readonly List<(int Start, int End, string Original)> _restore = [];
    private readonly List<(int Start, int End, string? Replacement, RawFinding? Finding)> _edits = [];
    private readonly StringBuilder _released = new();
    private string _context = string.Empty;
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
    public int HeldBack => _pending.Length;

    /// <summary>Accepts the next delta and returns what may be sent now.</summary>
    public StreamingOutput Push(ReadOnlySpan<char> delta)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (IsStopped)
        {
            return StreamingOutput.Empty;
        }

        _pending.Append(delta);
        return Process(final: false);
    }

    /// <summary>Accepts the next delta and returns what may be sent now.</summary>
    public StreamingOutput Push(string delta) => Push(delta.AsSpan());

    /// <summary>Ends the stream with its last delta: the same as <see cref="Push(ReadOnlySpan{char})"/> then
    /// <see cref="Complete()"/>, but the text is scanned once (a whole unary answer is one delta).</summary>
    public StreamingOutput Complete(ReadOnlySpan<char> last)
    {
        if (!_completed && !IsStopped)
        {
            _pending.Append(last);
        }

        return Complete();
    }

    /// <summary>Ends the stream: releases everything still held back (redacted).</summary>
    public StreamingOutput Complete()
    {
        if (_completed || IsStopped)
        {
            _completed = true;
            return StreamingOutput.Empty;
        }

        var output = Process(final: true);
        _completed = true;
        return output;
    }

    private StreamingOutput Process(bool final)
    {
        var sp = _policy.Source.Stream;
        if (!final && _pending.Length <= sp.HoldBack)
        {
            return StreamingOutput.Empty;
        }

        string window = _context + _pending.ToString();
        int ctx = _context.Length;
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
        if (output.Findings.Count > 0 || final)
        {
            // Per delta only when something was found: a span event for every clean delta of a long stream is noise.
            GuardrailsTelemetry.Record(_direction, _policy.Source.Name, output.Findings.Count > 0 ? GuardVerdict.Redacted : GuardVerdict.Allow, output.Findings);
        }

        return output;
    }

    private void FindPlaceholders(string window, int ctx, bool final, List<(int, int, string)> restore, ref int cut)
    {
        int i = window.IndexOf('[', ctx);
        while (i >= 0)
        {
            int len = PlaceholderSyntax.MatchLength(window.AsSpan(i));
            if (len < 0)
            {
                if (!final)
                {
                    cut = Math.Min(cut, i); // may still become a placeholder
                }

                break;
            }

            if (len > 0 && _vault!.TryGetOriginal(window.AsSpan(i, len), out string original))
            {
                restore.Add((i, i + len, original));
                if (i < cut && i + len > cut)
                {
                    cut = i;
                }

                i = window.IndexOf('[', i + len);
            }
            else
            {
                i = window.IndexOf('[', i + 1);
            }
        }
    }

    private StreamingOutput Release(string window, int ctx, int cut, List<RawFinding> pii, List<(int Start, int End, string Original)>? restore = null)
    {
        var edits = _edits;
        edits.Clear();
        foreach (var f in pii)
        {
            string? replacement = Redactor.Replacement(window.AsSpan(f.Start, f.Length), f.Type, f.Action, _policy, _vault);
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
                int s = (int)(baseCp + CodePoints.Count(window.AsSpan(ctx, start - ctx)));
                int e = s + CodePoints.Count(window.AsSpan(start, end - start));
                (findings ??= []).Add(new GuardFinding(f.Type, s, e, Math.Round(f.Score, 4), f.Action));
            }

            if (replacement is null)
            {
                continue;
            }

            sb.Append(window, copied, start - copied).Append(replacement);
            copied = end;
        }

        // Nothing replaced: the released text is the window's own slice (the whole window for a unary answer), not a copy.
        string text;
        if (copied == ctx)
        {
            text = ctx == 0 && cut == window.Length ? window : window[ctx..cut];
        }
        else
        {
            text = sb.Append(window, copied, cut - copied).ToString();
        }

        _releasedCodePoints += CodePoints.Count(window.AsSpan(ctx, cut - ctx));
        _context = window[Math.Max(0, cut - ContextLength)..cut];
        _pending.Clear().Append(window, cut, window.Length - cut);
        return new StreamingOutput { Text = text, Findings = findings ?? (IReadOnlyList<GuardFinding>)[] };
    }
}
