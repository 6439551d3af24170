using Mesh.Gateway.Sidecar.Admin;
using Mesh.Gateway.Sidecar.Capture;
using Mesh.Gateway.Tenancy.Authentication;

namespace Mesh.Gateway.Sidecar.Tests.Capture;

/// <summary>What the start (and a reload) says about <c>capture.store.kind</c> and <c>admin.viewers</c>, one line each.</summary>
public sealed class CaptureOptionsValidatorTests
{
    private static readonly string Reader = ApiKeyHash.Format("reader-token");

    [Theory]
    [InlineData("redis", false, "capture.store.kind: redis keeps captures in store.redis, which is not set")]
    [InlineData("disk", true, "capture.store.kind: must be memory or redis (was 'disk')")]
    public void StoreKind_RedisWithoutStoreRedisOrUnknown_OneErrorNamingTheKey(string kind, bool storeRedis, string error)
    {
        var options = new CaptureOptions { Enabled = true, Readers = [Reader], Store = new CaptureStoreOptions { Kind = kind } };

        var result = new CaptureOptionsValidator(storeRedis).Validate(null, options);

        Assert.Equal([error], result.Failures);
    }

    [Fact]
    public void StoreKind_RedisWithStoreRedis_Valid()
    {
        var options = new CaptureOptions { Enabled = true, Readers = [Reader], Store = new CaptureStoreOptions { Kind = "redis" } };

        Assert.True(new CaptureOptionsValidator(storeRedis: true).Validate(null, options).Succeeded);
    }

    [Fact]
    public void AdminViewers_NotAHashOrAlsoAnAdmin_OneErrorEach()
    {
        var options = new AdminOptions { Credentials = [Reader], Viewers = ["plain-token", Reader.ToUpperInvariant().Replace("SHA256:", "sha256:", StringComparison.Ordinal)] };

        var result = new AdminOptionsValidator().Validate(null, options);

        Assert.Equal(
            [
                "admin.viewers[0]: must be sha256:<64 hex digits> of the token (the token itself never goes in the file)",
                "admin.viewers[1]: is also in admin.credentials; a credential has one role (admin or viewer)",
            ],
            result.Failures);
    }
}
