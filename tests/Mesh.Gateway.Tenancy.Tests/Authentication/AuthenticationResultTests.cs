using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Tenancy.Authentication;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Authentication;

public sealed class AuthenticationResultTests
{
    [Fact]
    public void Identity_TenantWithTierAndLabels_CarriesThemForRoutingRules()
    {
        var tenant = new TenantOptions { Id = "gold-co", Tier = "gold", Labels = new Dictionary<string, string> { ["region"] = "eu-west-1" } };

        var identity = AuthenticationResult.Success(tenant, AuthenticationMethod.ApiKey, keyId: "key-0123").Identity!;

        Assert.Equal("gold", identity.Labels["tier"]);
        Assert.Equal("eu-west-1", identity.Labels["region"]);
    }

    [Fact]
    public void Identity_TenantWithoutLabels_EqualsThePlainIdentity()
    {
        var identity = AuthenticationResult.Success(new TenantOptions { Id = "t" }, AuthenticationMethod.ApiKey, keyId: "key-1").Identity;

        Assert.Equal(new CallIdentity("t", "key-1", CallIdentity.ApiKey), identity);
    }
}
