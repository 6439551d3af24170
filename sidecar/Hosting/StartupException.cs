namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>The sidecar cannot start; the message names what is wrong and is printed as it is.</summary>
public sealed class StartupException : Exception
{
    public StartupException()
    {
    }

    public StartupException(string message)
        : base(message)
    {
    }

    /// <summary>Several errors, one per line of the message (all of them, so the operator fixes the file once).</summary>
    public StartupException(IReadOnlyList<string> errors)
        : base(string.Join('\n', errors))
    {
    }

    public StartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
