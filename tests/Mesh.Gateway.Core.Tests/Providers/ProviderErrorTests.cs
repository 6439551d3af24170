using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Core.Tests.Providers;

public sealed class ProviderErrorTests
{
    [Theory]
    [InlineData(400, ProviderErrorKind.InvalidRequest, false)]
    [InlineData(401, ProviderErrorKind.Authentication, false)]
    [InlineData(404, ProviderErrorKind.NotFound, false)]
    [InlineData(408, ProviderErrorKind.Timeout, true)]
    [InlineData(429, ProviderErrorKind.RateLimited, true)]
    [InlineData(500, ProviderErrorKind.Server, true)]
    [InlineData(503, ProviderErrorKind.Overloaded, true)]
    [InlineData(529, ProviderErrorKind.Overloaded, true)]
    public void Create_FromHttpStatus_KindAndRetryable(int status, ProviderErrorKind kind, bool retryable)
    {
        var error = ProviderError.Create(ProviderError.KindFromHttpStatus(status), "m", status);

        Assert.Equal(kind, error.Kind);
        Assert.Equal(retryable, error.IsRetryable);
    }

    [Fact]
    public void ProviderResult_SuccessAndFailure_ExposeOneSide()
    {
        ProviderResult<ChatResponse> ok = new ChatResponse { Text = "hi" };
        ProviderResult<ChatResponse> failed = ProviderError.Create(ProviderErrorKind.Timeout, "slow");

        Assert.True(ok.IsSuccess);
        Assert.Equal("hi", ok.Value.Text);
        Assert.False(failed.IsSuccess);
        Assert.Equal(ProviderErrorKind.Timeout, failed.Error.Kind);
        Assert.Throws<ArgumentNullException>(() => ProviderStreamItem.FromError(null!));
    }
}
