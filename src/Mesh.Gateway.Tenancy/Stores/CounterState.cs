namespace Mesh.Gateway.Tenancy.Stores;

/// <summary>A counter as the store saw it when checking a charge.</summary>
/// <param name="Used">What the counter held before this charge.</param>
/// <param name="ResetAfter">When the oldest amount leaves the window (or the period ends); zero when nothing is held.</param>
public readonly record struct CounterState(long Used, TimeSpan ResetAfter);
