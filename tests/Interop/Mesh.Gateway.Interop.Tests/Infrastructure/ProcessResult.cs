namespace Mesh.Gateway.Interop.Tests.Infrastructure;

/// <summary>How an external program ended and what it printed.</summary>
internal sealed record ProcessResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() =>
        $"{Command}\nexit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}
