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

    public StartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
