namespace Mesh.Gateway.Tokenizers.Internal;

/// <summary>Counts tokens without keeping them.</summary>
internal struct CountingSink : ITokenSink
{
    public int Count;

    public void Add(int token) => Count++;

    public void AddRange(scoped ReadOnlySpan<int> tokens) => Count += tokens.Length;
}

/// <summary>Appends tokens to a list.</summary>
internal readonly struct ListSink(List<int> list) : ITokenSink
{
    public void Add(int token) => list.Add(token);

    public void AddRange(scoped ReadOnlySpan<int> tokens) => list.AddRange(tokens);
}

/// <summary>Writes tokens into a caller's span, counting all of them even when the span is too short.</summary>
internal ref struct SpanSink(Span<int> destination) : ITokenSink
{
    private readonly Span<int> _destination = destination;

    public int Count;

    public readonly bool Overflowed => Count > _destination.Length;

    public void Add(int token)
    {
        if ((uint)Count < (uint)_destination.Length)
        {
            _destination[Count] = token;
        }

        Count++;
    }

    public void AddRange(scoped ReadOnlySpan<int> tokens)
    {
        if (Count + tokens.Length <= _destination.Length)
        {
            tokens.CopyTo(_destination[Count..]);
        }

        Count += tokens.Length;
    }
}
