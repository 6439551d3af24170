using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Envoy.Authorization;

/// <summary>Each tenant's <c>limits:</c> (whatever keys the limits feature defines) as a Struct, for Envoy's rate limiter.</summary>
/// <remarks>Numbers stay numbers, anything else is passed as a string. Built once; the Structs are shared read-only.</remarks>
internal sealed class TenantLimitsMetadata
{
    private readonly Dictionary<string, Struct> _byTenant;

    public TenantLimitsMetadata(Dictionary<string, Struct> byTenant) => _byTenant = byTenant;

    public static TenantLimitsMetadata FromConfiguration(IConfiguration configuration)
    {
        var result = new Dictionary<string, Struct>(StringComparer.Ordinal);
        foreach (var tenant in configuration.GetSection("tenants").GetChildren())
        {
            var id = tenant["id"];
            var limits = tenant.GetSection("limits");
            if (string.IsNullOrEmpty(id) || !limits.Exists())
            {
                continue;
            }

            result[id] = ToStruct(limits);
        }

        return new TenantLimitsMetadata(result);
    }

    public Struct? For(string tenantId) => _byTenant.GetValueOrDefault(tenantId);

    private static Struct ToStruct(IConfigurationSection section)
    {
        var s = new Struct();
        foreach (var child in section.GetChildren())
        {
            if (child.Value is null)
            {
                s.Fields[child.Key] = Value.ForStruct(ToStruct(child));
            }
            else if (double.TryParse(child.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                s.Fields[child.Key] = Value.ForNumber(number);
            }
            else
            {
                s.Fields[child.Key] = Value.ForString(child.Value);
            }
        }

        return s;
    }
}
