namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>A configuration file that cannot be used: bad YAML, an unset environment variable, an unknown key.</summary>
/// <remarks>The message is complete and meant for the operator as it is (it names the file, the line and the key).</remarks>
public sealed class ConfigurationFileException : Exception
{
    public ConfigurationFileException()
    {
    }

    public ConfigurationFileException(string message)
        : base(message)
    {
    }

    public ConfigurationFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
