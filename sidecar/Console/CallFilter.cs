using System.Globalization;
using Mesh.Gateway.Tenancy.Ledger;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Sidecar.Console;

/// <summary>The call log's filters, from the query string: <c>tenant</c>, <c>key</c>, <c>route</c>, <c>provider</c>, <c>status</c>,
/// <c>from</c> and <c>to</c> (ISO 8601 times, or <c>minutes</c> back from now).</summary>
internal sealed record CallFilter
{
    public string? Tenant { get; init; }

    public string? Key { get; init; }

    public string? Route { get; init; }

    public string? Provider { get; init; }

    public string? Status { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public static CallFilter Parse(IQueryCollection query, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        DateTimeOffset? from = Time(query["from"]);
        if (from is null && now is { } n && double.TryParse(query["minutes"], NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes))
        {
            from = n.AddMinutes(-minutes);
        }

        return new CallFilter
        {
            Tenant = Text(query["tenant"]),
            Key = Text(query["key"]),
            Route = Text(query["route"]),
            Provider = Text(query["provider"]),
            Status = Text(query["status"]),
            From = from,
            To = Time(query["to"]),
        };
    }

    public bool Matches(UsageRecord record) =>
        (Tenant is null || record.TenantId == Tenant)
        && (Key is null || record.KeyId == Key)
        && (Route is null || record.RouteOrModel == Route)
        && (Provider is null || record.Provider == Provider)
        && (Status is null || record.Status == Status)
        && (From is null || record.Timestamp >= From)
        && (To is null || record.Timestamp <= To);

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateTimeOffset? Time(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
