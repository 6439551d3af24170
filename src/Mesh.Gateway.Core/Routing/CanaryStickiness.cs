namespace Mesh.Gateway.Core.Routing;

/// <summary>The values of <c>canary.sticky_by</c>.</summary>
public static class CanaryStickiness
{
    public const string Tenant = "tenant";
    public const string Key = "key";
    public const string Header = "header";

    public static IReadOnlyList<string> All { get; } = [Tenant, Key, Header];
}
