namespace Mesh.Gateway.Tokenizers;

/// <summary>The text holds special-token text that the call did not allow (tiktoken raises <c>ValueError</c>).</summary>
public sealed class DisallowedSpecialTokenException : Exception
{
    /// <summary>Creates the exception for a special token found at a UTF-16 index.</summary>
    public DisallowedSpecialTokenException(string token, int index)
        : base($"The text contains the special token '{token}' at index {index}, which is not allowed. "
            + "Allow it to encode it as a special token, or treat special tokens as text.")
    {
        Token = token;
        Index = index;
    }

    /// <summary>Creates the exception.</summary>
    public DisallowedSpecialTokenException()
        : this(string.Empty, -1)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DisallowedSpecialTokenException(string message)
        : base(message)
    {
        Token = string.Empty;
        Index = -1;
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public DisallowedSpecialTokenException(string message, Exception innerException)
        : base(message, innerException)
    {
        Token = string.Empty;
        Index = -1;
    }

    /// <summary>The special token found.</summary>
    public string Token { get; }

    /// <summary>Its UTF-16 index in the text.</summary>
    public int Index { get; }
}
