using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Authentication;

public sealed class AuthenticationStepTests
{
    private const string Key = "sk-mesh-team-a";

    private static readonly TenancyOptions s_tenants = new()
    {
        Tenants = [new TenantOptions { Id = "team-a", ApiKeys = [ApiKeyHash.Format(Key)], Models = ["chat"], Operations = ["chat"] }],
    };

    [Fact]
    public async Task InvokeAsync_ValidKey_IdentityWithTenantAndKeyIdNotTheKey()
    {
        var (result, context) = await RunAsync(s_tenants, "chat", ("authorization", "Bearer " + Key));

        Assert.False(result.IsError);
        var identity = Assert.IsType<CallIdentity>(context.Identity);
        Assert.Equal(("team-a", CallIdentity.ApiKey), (identity.TenantId, identity.Method));
        Assert.Equal("key-" + ApiKeyHash.Format(Key)["sha256:".Length..][..12], identity.KeyId);
    }

    [Fact]
    public async Task InvokeAsync_WrongKey_UnauthenticatedAndNextNotCalled()
    {
        var (result, context) = await RunAsync(s_tenants, "chat", ("authorization", "Bearer sk-wrong"));

        Assert.True(result.IsError);
        Assert.Equal(GatewayErrorCode.Unauthenticated, result.Error!.Code);
        Assert.Null(context.Identity);
    }

    [Fact]
    public async Task InvokeAsync_NoCredentials_Unauthenticated()
    {
        var (result, _) = await RunAsync(s_tenants, "chat");

        Assert.Equal(GatewayErrorCode.Unauthenticated, result.Error!.Code);
    }

    [Fact]
    public async Task InvokeAsync_ModelNotAllowed_PermissionDenied()
    {
        var (result, _) = await RunAsync(s_tenants, "other-model", ("x-api-key", Key));

        Assert.Equal(GatewayErrorCode.PermissionDenied, result.Error!.Code);
        Assert.Contains("other-model", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_NoTenantsConfigured_OpenWithoutIdentity()
    {
        var (result, context) = await RunAsync(new TenancyOptions(), "anything");

        Assert.False(result.IsError);
        Assert.Null(context.Identity);
    }

    [Fact]
    public async Task AddMeshTenancy_Registered_StepRunsAtAuthenticationOrder()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["tenants:0:id"] = "team-a",
            ["tenants:0:api_keys:0"] = ApiKeyHash.Format(Key),
            ["tenants:0:models:0"] = "chat",
        }).Build();
        using var provider = new ServiceCollection().AddMeshTenancy(configuration).BuildServiceProvider();
        CallIdentity? seen = null;
        var pipeline = provider.BuildInferencePipeline((context, _) =>
        {
            seen = context.Identity;
            return ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse { Text = "ok", Provider = "test", Model = "m" }));
        });
        var call = InferenceContext.ForChat(new ChatRequest { Model = "chat", Messages = [ChatMessage.User("hi")] }, false, TimeProvider.System);
        call.Headers = new Dictionary<string, string> { ["authorization"] = "Bearer " + Key };

        var result = await pipeline.ExecuteAsync(call, TestContext.Current.CancellationToken);

        Assert.False(result.IsError);
        Assert.Equal("team-a", seen?.TenantId);
    }

    // The Envoy door's Check decides with CallerAccess before any body exists; the step decides the same way for every door.
    [Theory]
    [InlineData("chat", Key, null)]
    [InlineData("gpt-4o", Key, GatewayErrorReasons.PermissionDenied)]
    [InlineData("chat", "sk-wrong", GatewayErrorReasons.InvalidApiKey)]
    [InlineData("chat", null, GatewayErrorReasons.MissingApiKey)]
    public async Task InvokeAsync_AnyCall_SameDecisionAsCallerAccess(string model, string? key, string? reason)
    {
        var headers = key is null ? [] : new[] { ("authorization", "Bearer " + key) };
        var (result, _) = await RunAsync(s_tenants, model, headers);
        var authenticator = TenancyServiceCollectionExtensions.Create(s_tenants, TimeProvider.System, NullLoggerFactory.Instance);
        var decision = await CallerAccess.DecideAsync(
            authenticator, new CallerCredentials(headers.ToDictionary(h => h.Item1, h => h.Item2)), "chat", model, TestContext.Current.CancellationToken);

        Assert.Equal(reason, result.Error?.Reason);
        Assert.Equal(reason, decision.Error?.Reason);
        Assert.Equal(result.Error?.Code, decision.Error?.Code);
        Assert.Equal(result.Error?.Metadata.GetValueOrDefault("denial"), decision.Error?.Metadata.GetValueOrDefault("denial"));
        Assert.Equal(reason is null, decision.Allowed);
    }

    private static async Task<(InferenceResult Result, InferenceContext Context)> RunAsync(TenancyOptions options, string model, params (string Name, string Value)[] headers)
    {
        var step = new AuthenticationStep(TenancyServiceCollectionExtensions.Create(options, TimeProvider.System, NullLoggerFactory.Instance));
        var context = InferenceContext.ForChat(new ChatRequest { Model = model, Messages = [ChatMessage.User("hi")] }, false, TimeProvider.System);
        context.Headers = headers.ToDictionary(h => h.Name, h => h.Value);
        var called = false;
        var result = await step.InvokeAsync(context, (_, _) =>
        {
            called = true;
            return ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse { Text = "ok", Provider = "test", Model = model }));
        }, TestContext.Current.CancellationToken);
        Assert.Equal(!result.IsError, called);
        return (result, context);
    }
}
