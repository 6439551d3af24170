namespace Mesh.Gateway.Tenancy.Stores;

/// <summary>Replaces a reserved amount with what was really used (zero releases it; a concurrency lease is always released).</summary>
public readonly record struct CounterSettlement(CounterCharge Charge, long ActualAmount);
