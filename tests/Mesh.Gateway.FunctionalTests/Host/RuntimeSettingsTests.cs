using System.Text.Json;
using System.Xml.Linq;
using Mesh.Gateway.FunctionalTests.Infrastructure;

namespace Mesh.Gateway.FunctionalTests.Host;

/// <summary>
/// The sidecar ships with the runtime settings its latency figures were measured with: workstation GC, the thread-pool
/// spin limit and immediate tier-1 promotion; the Envoy door's benchmark servers (tests/Benchmarks) run with the same ones.
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void SidecarRuntimeConfig_WorkstationConcurrentGc_SpinLimit10_NoCallCountingDelay()
    {
        // The sidecar's runtimeconfig.json, as its build wrote it next to this test's binaries.
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Mesh.Gateway.Sidecar.runtimeconfig.json")));
        var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.True(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.Equal(10, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
        Assert.Equal(0, properties.GetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs").GetInt32());
    }

    [Fact]
    public void BenchmarkServers_RunWithTheSidecarsRuntimeSettings()
    {
        var sidecar = Settings(Path.Combine(ExternalCommand.RepositoryRoot, "sidecar", "Mesh.Gateway.Sidecar.csproj"));
        var benchmarks = Settings(Path.Combine(ExternalCommand.RepositoryRoot, "tests", "Benchmarks", "Mesh.Gateway.Benchmarks.csproj"));

        Assert.Equal(4, sidecar.Count);
        Assert.Equal(sidecar, benchmarks);
    }

    // The GC properties and runtime options a project sets, as "name=value".
    private static SortedSet<string> Settings(string project)
    {
        var root = XDocument.Load(project).Root!;
        var settings = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in (string[])["ServerGarbageCollection", "ConcurrentGarbageCollection"])
        {
            foreach (var element in root.Descendants(name))
            {
                settings.Add(name + "=" + element.Value.Trim());
            }
        }

        foreach (var option in root.Descendants("RuntimeHostConfigurationOption"))
        {
            settings.Add((string)option.Attribute("Include")! + "=" + (string)option.Attribute("Value")!);
        }

        return settings;
    }
}
