namespace Mesh.Gateway.Envoy.Guarding;

/// <summary>Released text, and whether the stream was stopped by a blocking finding (with the finish reason to report).</summary>
internal readonly record struct StreamGuardOutput(string Text, bool Stopped, string? FinishReason = null);
