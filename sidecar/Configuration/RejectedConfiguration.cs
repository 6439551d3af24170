namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>A changed file that was refused: its hash, when, and every error in it (one per line, as at start).</summary>
internal sealed record RejectedConfiguration(string Sha256, DateTimeOffset At, IReadOnlyList<string> Errors);
