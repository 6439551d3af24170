namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>The outcome of one reload: what happened, the status after it, and the errors that refused the file.</summary>
internal sealed record ReloadOutcome(ReloadResult Result, ConfigurationStatus Status, IReadOnlyList<string> Errors);
