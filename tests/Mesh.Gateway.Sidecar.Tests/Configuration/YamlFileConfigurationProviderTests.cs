using Mesh.Gateway.Sidecar.Configuration;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Sidecar.Tests.Configuration;

public sealed class YamlFileConfigurationProviderTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"mesh-config-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Reload_ChangedFile_NewValuesSeen()
    {
        File.WriteAllText(_path, "listen:\n  grpc: 127.0.0.1:1\n");
        var configuration = new ConfigurationBuilder().AddYamlFile(_path, reloadOnChange: false, _ => null).Build();

        File.WriteAllText(_path, "listen:\n  grpc: 127.0.0.1:2\n");
        configuration.Reload();

        Assert.Equal("127.0.0.1:2", configuration["listen:grpc"]);
    }

    [Fact]
    public void Reload_BrokenFile_KeepsLastGoodValuesAndReportsWhy()
    {
        File.WriteAllText(_path, "listen:\n  grpc: 127.0.0.1:1\n");
        var errors = new List<string>();
        var configuration = new ConfigurationBuilder()
            .AddYamlFile(_path, reloadOnChange: false, _ => null, error => errors.Add(error.Message))
            .Build();

        File.WriteAllText(_path, "listen:\n  grpc: [broken\n");
        configuration.Reload();

        Assert.Equal("127.0.0.1:1", configuration["listen:grpc"]);
        var error = Assert.Single(errors);
        Assert.StartsWith(_path + ":3:1: invalid YAML: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BrokenFileAtStart_Throws()
    {
        File.WriteAllText(_path, "listen: [broken\n");

        var error = Assert.Throws<InvalidDataException>(() => new ConfigurationBuilder().AddYamlFile(_path, reloadOnChange: false, _ => null).Build());

        Assert.IsType<ConfigurationFileException>(error.InnerException);
    }
}
