namespace Mesh.Gateway.Core.Routing.Health;

/// <summary>One attempt in flight against a target: when it started and whether it is the target's recovery probe.</summary>
internal readonly record struct AttemptTicket(TargetHealth Health, long Start, bool IsProbe);
