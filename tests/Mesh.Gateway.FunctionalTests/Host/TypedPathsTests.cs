using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using Mesh.Gateway.Tenancy.Authentication;

namespace Mesh.Gateway.FunctionalTests.Host;

/// <summary>The paths a person types, as the README's commands type them: <c>dotnet run --project sidecar -- --config FILE</c>
/// from another directory reads FILE relative to that directory, and the default ledger is written to the state directory,
/// never into the directory the command ran in (the source tree, under dotnet run).</summary>
public sealed partial class TypedPathsTests : IDisposable
{
    private const string Key = "mgw-typed-paths-key";
    private readonly string _work = Directory.CreateTempSubdirectory("mesh-cwd-").FullName;
    private readonly string _state = Directory.CreateTempSubdirectory("mesh-state-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Directory.Delete(_work, recursive: true);
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task DotnetRun_ConfigRelativeToTheCommandsDirectory_LedgerInTheStateDirectoryNotTheCwd()
    {
        File.WriteAllText(Path.Combine(_work, "sidecar.yaml"), $"tenants:\n  - id: team-a\n    api_keys: [\"{ApiKeyHash.Format(Key)}\"]\n    models: [\"*\"]\n");
        var root = FindRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _work,
        };
        foreach (var argument in (string[])["run", "--project", Path.Combine(root, "sidecar"), "-c", configuration, "--no-build", "--",
            "--config", "sidecar.yaml", "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["XDG_STATE_HOME"] = _state;
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(match.Groups["grpc"].Value);
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var first = await Task.WhenAny(listening.Task, process.WaitForExitAsync(Ct), Task.Delay(TimeSpan.FromSeconds(90), Ct));
            Assert.True(first == listening.Task, $"the sidecar did not start from {_work} with --config sidecar.yaml:\n{output}");

            using var channel = Mesh.Gateway.Client.MeshGatewayChannel.ForAddress("http://" + await listening.Task);
            var client = new V1.Inference.InferenceClient(channel);
            await client.GenerateAsync(Inference.InferenceSidecar.Ask("mock", "Say hello"), new Metadata { { "x-api-key", Key } }, cancellationToken: Ct);

            var ledger = Path.Combine(_state, "mesh-gateway", "ledger.jsonl");
            var waited = Stopwatch.StartNew();
            while (!(File.Exists(ledger) && new FileInfo(ledger).Length > 0) && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100, Ct);
            }

            Assert.True(File.Exists(ledger), $"no ledger at {ledger}:\n{output}");
            Assert.Contains("\"tenant_id\":\"team-a\"", await File.ReadAllTextAsync(ledger, Ct), StringComparison.Ordinal);
            Assert.Equal(["sidecar.yaml"], Directory.EnumerateFileSystemEntries(_work).Select(Path.GetFileName));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
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

    [GeneratedRegex(@"Listening: gRPC on (?<grpc>\S+), admin on ")]
    private static partial Regex ListeningLine();
}
