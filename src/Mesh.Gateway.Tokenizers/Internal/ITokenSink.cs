namespace Mesh.Gateway.Tokenizers.Internal;

/// <summary>Receives token ids as the encoder produces them; implemented by structs so calls specialise and inline.</summary>
internal interface ITokenSink
{
    /// <summary>Adds one token.</summary>
    void Add(int token);

    /// <summary>Adds several tokens in order.</summary>
    void AddRange(scoped ReadOnlySpan<int> tokens);
}
