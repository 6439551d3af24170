using Mesh.Gateway.Tenancy.Stores;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>A rule as charged for one call.</summary>
internal readonly record struct ChargedRule(LimitRule Rule, CounterCharge Charge, string Subject);
