namespace Mesh.Gateway.Tenancy.Stores;

/// <summary>One counter a request charges: admitted only if <c>used + Amount &lt;= Limit</c>.</summary>
/// <param name="Key">The counter's store key; keys of one tenant share a hash tag so one script can touch them all.</param>
/// <param name="Kind">How the counter counts.</param>
/// <param name="Limit">The most the counter may hold.</param>
/// <param name="Window">The sliding window, the time to the end of a fixed period, or a concurrency lease's timeout.</param>
/// <param name="Amount">What this request reserves (1 for a request, estimated tokens, estimated nano-dollars).</param>
public sealed record CounterCharge(string Key, CounterKind Kind, long Limit, TimeSpan Window, long Amount);
