using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Mesh.Gateway.FunctionalTests.Inference;

/// <summary>Runs examples/python, examples/node and examples/csharp against the real sidecar on its default configuration.</summary>
public sealed class ExampleTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public async Task PythonExample_DefaultSidecar_GeneratesAndStreams()
    {
        await using var sidecar = await InferenceSidecar.StartAsync();
        var stubs = Directory.CreateTempSubdirectory("mesh-python-stubs-");
        try
        {
            var protos = Path.Combine(Root, "protos");
            var (code, output) = await RunAsync("protoc", Root,
                "-I", protos, "-I", "/usr/include", "--python_out", stubs.FullName, "--grpc_out", stubs.FullName, "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin",
                Path.Combine(protos, "mesh", "gateway", "v1", "inference.proto"));
            Assert.True(code == 0, output);

            (code, output) = await RunAsync("/usr/bin/python3", Root, [Path.Combine(Root, "examples", "python", "generate.py"), HostPort(sidecar), "mock"], ("MESH_STUBS", stubs.FullName));

            AssertExampleOutput(code, output);
            var summary = Summary(output);
            var request = new V1.CountTokensRequest { Model = "mock", Messages = { InferenceSidecar.Ask("mock", "Say hello in five words.").Messages } };
            var count = await sidecar.Client.CountTokensAsync(request, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(count.TokenCount, summary.GetProperty("count_tokens").GetInt64());
            Assert.False(summary.GetProperty("count_exact").GetBoolean()); // the mock model has no tokenizer of its own
        }
        finally
        {
            stubs.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task NodeExample_DefaultSidecar_GeneratesAndStreams()
    {
        Assert.True(Directory.Exists(Path.Combine(Root, "examples", "node", "node_modules")), "run `bash tests/run.sh` (the README's test command installs examples/node's npm packages)");
        await using var sidecar = await InferenceSidecar.StartAsync();

        var (code, output) = await RunAsync("node", Root, Path.Combine(Root, "examples", "node", "generate.js"), HostPort(sidecar), "mock");

        AssertExampleOutput(code, output);
    }

    [Fact]
    public async Task CSharpExample_DefaultSidecar_GeneratesAndStreams()
    {
        await using var sidecar = await InferenceSidecar.StartAsync();
        // From the example's own output folder: this test's folder has no copy of the packages the ASP.NET Core framework
        // also carries (Grpc.Net.Client's Microsoft.Extensions.Logging.Abstractions), which a console app does not load.
        var output = Path.GetRelativePath(Path.Combine(Root, "tests", "Mesh.Gateway.FunctionalTests"), AppContext.BaseDirectory);
        var program = Path.Combine(Root, "examples", "csharp", output, "Mesh.Gateway.Examples.CSharp.dll");

        var (code, printed) = await RunAsync("dotnet", Root, program, HostPort(sidecar), "mock");

        AssertExampleOutput(code, printed);
    }

    private static void AssertExampleOutput(int code, string output)
    {
        Assert.True(code == 0, output);
        var json = Summary(output);
        var text = json.GetProperty("generate_text").GetString();
        Assert.False(string.IsNullOrEmpty(text), output);
        Assert.Equal(text, json.GetProperty("stream_text").GetString());
        Assert.True(json.GetProperty("stream_chunks").GetInt32() >= 2, output);
        Assert.Equal("FINISH_REASON_STOP", json.GetProperty("stream_finish_reason").GetString());
        Assert.True(json.GetProperty("generate_output_tokens").GetInt32() > 0, output);
        Assert.Equal(json.GetProperty("generate_output_tokens").GetInt32(), json.GetProperty("stream_output_tokens").GetInt32());
    }

    private static JsonElement Summary(string output) =>
        JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last(static l => l.StartsWith('{'))).RootElement;

    private static string HostPort(InferenceSidecar sidecar) => $"{sidecar.Address.Host}:{sidecar.Address.Port}";

    private static Task<(int Code, string Output)> RunAsync(string file, string workingDirectory, params string[] arguments) =>
        RunAsync(file, workingDirectory, arguments, []);

    private static async Task<(int Code, string Output)> RunAsync(string file, string workingDirectory, string[] arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mesh.Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }
}
