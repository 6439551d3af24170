using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using Mesh.Gateway.Tokenizers.Internal;

namespace Mesh.Gateway.Tokenizers;

/// <summary>A byte-pair encoding that gives the same token ids as OpenAI's tiktoken (o200k_base, cl100k_base).</summary>
/// <remarks>
/// Instances are immutable and safe to use from any number of threads. The rank files are embedded; each encoding
/// loads its ranks once, on first use. Counting allocates nothing: the text is transcoded into a stack or pooled
/// buffer and merged in place. Text that is not valid UTF-16 (a lone surrogate) is not an error: each lone surrogate
/// is encoded as U+FFFD, as tiktoken does (its Python wrapper re-encodes with <c>surrogatepass</c> and decodes with
/// <c>replace</c>; JavaScript's UTF-8 encoder does the same).
/// </remarks>
public sealed partial class TiktokenEncoding
{
    /// <summary>The name of the o200k_base encoding (GPT-4o, GPT-4.1, GPT-5, o-series).</summary>
    public const string O200kBaseName = "o200k_base";

    /// <summary>The name of the cl100k_base encoding (GPT-4, GPT-3.5, text-embedding-3, ada-002).</summary>
    public const string Cl100kBaseName = "cl100k_base";

    /// <summary>The name of the o200k_harmony encoding (o200k_base with the harmony chat-format tokens).</summary>
    public const string O200kHarmonyName = "o200k_harmony";

    private const int StackTranscodeLimit = 1024;

    private static readonly Lazy<RankTable> s_o200kRanks = new(() => RankFileLoader.LoadEmbedded(O200kBaseName));
    private static readonly Lazy<RankTable> s_cl100kRanks = new(() => RankFileLoader.LoadEmbedded(Cl100kBaseName));

    // The built-in encodings exist without their rank tables: a table is read on the encoding's first count, so a
    // resolver that names every encoding (ModelTokenizerResolver) loads only those its models use (about 10 MB of heap
    // for o200k_base, with more allocated while it loads).
    private static readonly Lazy<TiktokenEncoding> s_o200k = new(() => new TiktokenEncoding(
        O200kBaseName, s_o200kRanks, PreTokenizerKind.O200k, O200kSpecialTokens()));

    private static readonly Lazy<TiktokenEncoding> s_cl100k = new(() => new TiktokenEncoding(
        Cl100kBaseName, s_cl100kRanks, PreTokenizerKind.Cl100k, Cl100kSpecialTokens()));

    private static readonly Lazy<TiktokenEncoding> s_o200kHarmony = new(() => new TiktokenEncoding(
        O200kHarmonyName, s_o200kRanks, PreTokenizerKind.O200k, O200kHarmonySpecialTokens()));

    private readonly Lazy<RankTable> _ranks;
    private readonly PreTokenizerKind _kind;
    private readonly Dictionary<string, int> _specialTokens;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _specialLookup;
    private readonly FrozenDictionary<int, byte[]> _specialBytes;
    private readonly int _maxSpecialLength;

    // A table already loaded (WithSpecialTokens) is checked against the special tokens at once; a table not loaded yet is
    // checked when it loads, on the first count.
    private TiktokenEncoding(string name, Lazy<RankTable> ranks, PreTokenizerKind kind, IEnumerable<KeyValuePair<string, int>> specialTokens)
    {
        Name = name;
        _kind = kind;
        _specialTokens = new Dictionary<string, int>(specialTokens, StringComparer.Ordinal);
        _specialLookup = _specialTokens.GetAlternateLookup<ReadOnlySpan<char>>();

        // Where two names share an id (o200k_harmony's <|endofprompt|> and <|reserved_200018|>), the last one
        // decodes, as tiktoken's inverted dictionary does.
        var bytes = new Dictionary<int, byte[]>();
        foreach (KeyValuePair<string, int> pair in specialTokens)
        {
            bytes[pair.Value] = Encoding.UTF8.GetBytes(pair.Key);
            _maxSpecialLength = Math.Max(_maxSpecialLength, pair.Key.Length);
        }

        _specialBytes = bytes.ToFrozenDictionary();
        var special = _specialTokens;
        _ranks = ranks.IsValueCreated
            ? new Lazy<RankTable>(Checked(ranks.Value, special))
            : new Lazy<RankTable>(() => Checked(ranks.Value, special));
    }

    private static RankTable Checked(RankTable ranks, Dictionary<string, int> specialTokens)
    {
        foreach (KeyValuePair<string, int> pair in specialTokens)
        {
            if (ranks.Contains(pair.Value))
            {
                throw new ArgumentException($"Special token '{pair.Key}' reuses the ordinary token id {pair.Value}.", nameof(specialTokens));
            }
        }

        return ranks;
    }

    /// <summary>o200k_base, loaded on first use.</summary>
    public static TiktokenEncoding O200kBase => s_o200k.Value;

    /// <summary>cl100k_base, loaded on first use.</summary>
    public static TiktokenEncoding Cl100kBase => s_cl100k.Value;

    /// <summary>o200k_harmony (gpt-oss), loaded on first use; shares o200k_base's ranks.</summary>
    public static TiktokenEncoding O200kHarmony => s_o200kHarmony.Value;

    /// <summary>True once the rank table has been read (the first count, decode or <see cref="MergeableTokenCount"/>).</summary>
    internal bool RanksLoaded => _ranks.IsValueCreated;

    /// <summary>o200k_base's pattern and special tokens over <paramref name="ranks"/>, read on first use (tests).</summary>
    internal static TiktokenEncoding Deferred(string name, Lazy<RankTable> ranks) => new(name, ranks, PreTokenizerKind.O200k, O200kSpecialTokens());

    /// <summary>The encoding's name, as tiktoken names it.</summary>
    public string Name { get; }

    /// <summary>The special tokens and their ids.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => _specialTokens;

    /// <summary>Number of ordinary (mergeable) tokens; their ids are 0 to this count minus one.</summary>
    public int MergeableTokenCount => _ranks.Value.Count;

    /// <summary>Returns a built-in encoding by tiktoken name (<c>o200k_base</c>, <c>cl100k_base</c>,
    /// <c>o200k_harmony</c>), or null.</summary>
    public static TiktokenEncoding? GetEncoding(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            O200kBaseName => O200kBase,
            Cl100kBaseName => Cl100kBase,
            O200kHarmonyName => O200kHarmony,
            _ => null,
        };
    }

    /// <summary>Returns an encoding with the same ranks and pattern and more special tokens (for example
    /// ChatML's <c>&lt;|im_start|&gt;</c>), as tiktoken's <c>Encoding(..., special_tokens={**base, ...})</c>.</summary>
    public TiktokenEncoding WithSpecialTokens(string name, IReadOnlyDictionary<string, int> extraSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(extraSpecialTokens);
        var merged = new Dictionary<string, int>(_specialTokens, StringComparer.Ordinal);
        foreach (KeyValuePair<string, int> pair in extraSpecialTokens)
        {
            merged[pair.Key] = pair.Value;
        }

        _ = _ranks.Value; // a clash with an ordinary token id is reported here, as before
        return new TiktokenEncoding(name, _ranks, _kind, merged);
    }

    /// <summary>Counts the tokens of <paramref name="text"/> without allocating.</summary>
    /// <exception cref="DisallowedSpecialTokenException">The text holds special-token text the policy disallows.</exception>
    public int CountTokens(ReadOnlySpan<char> text, SpecialTokenPolicy policy = default)
    {
        var sink = default(CountingSink);
        EncodeCore(text, policy, ref sink);
        return sink.Count;
    }

    /// <summary>Counts the tokens of <paramref name="text"/>; false (and no count) when it holds special-token text
    /// the policy disallows.</summary>
    public bool TryCountTokens(ReadOnlySpan<char> text, SpecialTokenPolicy policy, out int count)
    {
        if (policy.MayFail && FindDisallowedSpecialToken(text, policy, out _) >= 0)
        {
            count = 0;
            return false;
        }

        var sink = default(CountingSink);
        EncodeCore(text, policy, ref sink, checkedDisallowed: true);
        count = sink.Count;
        return true;
    }

    /// <summary>Encodes <paramref name="text"/> to token ids.</summary>
    /// <exception cref="DisallowedSpecialTokenException">The text holds special-token text the policy disallows.</exception>
    public int[] Encode(ReadOnlySpan<char> text, SpecialTokenPolicy policy = default)
    {
        var list = new List<int>(text.Length / 3 + 4);
        Encode(text, list, policy);
        return [.. list];
    }

    /// <summary>Appends the token ids of <paramref name="text"/> to <paramref name="destination"/>.</summary>
    /// <exception cref="DisallowedSpecialTokenException">The text holds special-token text the policy disallows.</exception>
    public void Encode(ReadOnlySpan<char> text, List<int> destination, SpecialTokenPolicy policy = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var sink = new ListSink(destination);
        EncodeCore(text, policy, ref sink);
    }

    /// <summary>Writes the token ids of <paramref name="text"/> into <paramref name="destination"/>.</summary>
    /// <returns>False when the destination is too short; <paramref name="tokenCount"/> then says how many it needs.</returns>
    /// <exception cref="DisallowedSpecialTokenException">The text holds special-token text the policy disallows.</exception>
    public bool TryEncode(ReadOnlySpan<char> text, Span<int> destination, out int tokenCount, SpecialTokenPolicy policy = default)
    {
        var sink = new SpanSink(destination);
        EncodeCore(text, policy, ref sink);
        tokenCount = sink.Count;
        return !sink.Overflowed;
    }

    /// <summary>Finds the first special-token text the policy disallows.</summary>
    /// <returns>True when one is found, with the token and its UTF-16 index.</returns>
    public bool TryFindDisallowedSpecialToken(ReadOnlySpan<char> text, SpecialTokenPolicy policy, out string token, out int index)
    {
        token = string.Empty;
        index = policy.MayFail ? FindDisallowedSpecialToken(text, policy, out token) : -1;
        return index >= 0;
    }

    /// <summary>Decodes token ids to bytes (special tokens to their text).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not a token of this encoding.</exception>
    public byte[] DecodeToBytes(ReadOnlySpan<int> tokens)
    {
        int length = 0;
        foreach (int token in tokens)
        {
            length += TokenBytes(token).Length;
        }

        var result = new byte[length];
        int offset = 0;
        foreach (int token in tokens)
        {
            ReadOnlySpan<byte> bytes = TokenBytes(token);
            bytes.CopyTo(result.AsSpan(offset));
            offset += bytes.Length;
        }

        return result;
    }

    /// <summary>Decodes token ids to text; byte sequences that are not valid UTF-8 become U+FFFD (tiktoken's
    /// <c>errors="replace"</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not a token of this encoding.</exception>
    public string Decode(ReadOnlySpan<int> tokens) => Encoding.UTF8.GetString(DecodeToBytes(tokens));

    /// <summary>The bytes of one token (tiktoken's <c>decode_single_token_bytes</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not a token of this encoding.</exception>
    public ReadOnlySpan<byte> TokenBytes(int token)
    {
        RankTable ranks = _ranks.Value;
        if (ranks.Contains(token))
        {
            return ranks.TokenBytes(token);
        }

        return _specialBytes.TryGetValue(token, out byte[]? special)
            ? special
            : throw new ArgumentOutOfRangeException(nameof(token), token, $"Not a token of {Name}.");
    }

    private void EncodeCore<TSink>(ReadOnlySpan<char> text, SpecialTokenPolicy policy, ref TSink sink, bool checkedDisallowed = false)
        where TSink : ITokenSink, allows ref struct
    {
        if (!checkedDisallowed && policy.MayFail)
        {
            int found = FindDisallowedSpecialToken(text, policy, out string token);
            if (found >= 0)
            {
                throw new DisallowedSpecialTokenException(token, found);
            }
        }

        if (!policy.MayRecognise)
        {
            EncodeOrdinary(text, ref sink);
            return;
        }

        int start = 0;
        while (true)
        {
            int next = FindSpecialToken(text, start, policy, allowed: true, out _, out int length, out int id);
            if (next < 0)
            {
                EncodeOrdinary(text[start..], ref sink);
                return;
            }

            EncodeOrdinary(text[start..next], ref sink);
            sink.Add(id);
            start = next + length;
        }
    }

    private int FindDisallowedSpecialToken(ReadOnlySpan<char> text, SpecialTokenPolicy policy, out string token) =>
        FindSpecialToken(text, 0, policy, allowed: false, out token, out _, out _);

    // Finds the first special token at or after `start` that the policy allows (or, with allowed: false, disallows).
    private int FindSpecialToken(ReadOnlySpan<char> text, int start, SpecialTokenPolicy policy, bool allowed,
        out string token, out int length, out int id)
    {
        int from = start;
        while (from < text.Length)
        {
            int open = text[from..].IndexOf("<|", StringComparison.Ordinal);
            if (open < 0)
            {
                break;
            }

            open += from;
            int limit = Math.Min(text.Length - open, _maxSpecialLength);
            int close = limit < 4 ? -1 : text.Slice(open + 2, limit - 2).IndexOf("|>", StringComparison.Ordinal);
            if (close >= 0)
            {
                ReadOnlySpan<char> candidate = text.Slice(open, close + 4);
                if (_specialLookup.TryGetValue(candidate, out string? name, out int value) && policy.IsAllowed(name) == allowed)
                {
                    token = name;
                    length = candidate.Length;
                    id = value;
                    return open;
                }
            }

            from = open + 1;
        }

        token = string.Empty;
        length = 0;
        id = -1;
        return -1;
    }

    private void EncodeOrdinary<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : ITokenSink, allows ref struct
    {
        if (text.IsEmpty)
        {
            return;
        }

        // Room for every UTF-16 unit as three UTF-8 bytes, plus the padding the rank lookups read past a key.
        int capacity = checked(text.Length * 3) + RankTable.Padding;
        byte[]? rented = null;
        Span<byte> buffer = capacity <= StackTranscodeLimit
            ? stackalloc byte[StackTranscodeLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(capacity));
        try
        {
            // Lone surrogates become U+FFFD (EF BF BD), the replacement tiktoken encodes.
            int length = Encoding.UTF8.GetBytes(text, buffer);
            buffer.Slice(length, RankTable.Padding).Clear();
            if (_kind == PreTokenizerKind.O200k)
            {
                EncodePieces<O200kSplitter, TSink>(buffer[..length], ref sink);
            }
            else
            {
                EncodePieces<Cl100kSplitter, TSink>(buffer[..length], ref sink);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void EncodePieces<TSplitter, TSink>(scoped ReadOnlySpan<byte> utf8, ref TSink sink)
        where TSplitter : ISplitter
        where TSink : ITokenSink, allows ref struct
    {
        RankTable ranks = _ranks.Value;
        int p = 0;
        while (p < utf8.Length)
        {
            int end = TSplitter.Next(utf8, p);
            int length = end - p;
            if (length <= 0)
            {
                // A scanner bug must not turn into an endless loop on a request thread.
                throw new InvalidOperationException($"The pre-tokenizer made no progress at byte {p}.");
            }

            ref byte piece = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(utf8[p..]);
            if (length == 1)
            {
                sink.Add(ranks.ByteRank(piece));
            }
            else if (ranks.TryGetRank(ref piece, length, out int rank))
            {
                sink.Add(rank);
            }
            else
            {
                BytePairMerge.Encode(ranks, ref piece, length, ref sink);
            }

            p = end;
        }
    }
}
