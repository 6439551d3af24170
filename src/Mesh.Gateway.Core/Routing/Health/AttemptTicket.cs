namespace Mesh.Gateway.Core.Routing.Health;

/// <summary>One attempt in flight against a target: when it started, how many attempts (itself included) were then in flight,
/// and whether it is the target's recovery probe.</summary>
internal readonly record struct AttemptTicket(TargetHealth Health, long Start, int Load, bool IsProbe);
