using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Core.Tests.Providers;

public sealed class ProvidersOptionsValidatorTests
{
    [Fact]
    public void Validate_BadEntries_NamesEachKeyAndProblem()
    {
        var options = new ProvidersOptions
        {
            Providers =
            [
                new ProviderOptions { Name = "a", Kind = "openai", ApiKey = "k" },
                new ProviderOptions { Name = "a", Kind = "mock" },
                new ProviderOptions { Name = "x", Kind = "nope" },
                new ProviderOptions { Name = "az", Kind = "azure-openai", ApiKey = "k", BaseUrl = "ftp://x", AuthMode = "oauth" },
                new ProviderOptions { Name = "b", Kind = "bedrock", AccessKeyId = "id" },
                new ProviderOptions { Name = "m", Kind = "mock", DelayPerTokenMs = -5 },
            ],
        };

        var errors = ProvidersOptionsValidator.Validate(options);

        Assert.Contains("providers[1].name: duplicate provider name 'a'", errors);
        Assert.Contains(errors, e => e.StartsWith("providers[2].kind: must be one of openai, azure-openai", StringComparison.Ordinal) && e.EndsWith("(was 'nope')", StringComparison.Ordinal));
        Assert.Contains("providers[3].base_url: must be an absolute http or https URL (was 'ftp://x')", errors);
        Assert.Contains(errors, e => e.StartsWith("providers[3].api_version: is required", StringComparison.Ordinal));
        Assert.Contains("providers[3].auth_mode: must be api-key or bearer (was 'oauth')", errors);
        Assert.Contains("providers[4].region: is required for kind bedrock", errors);
        Assert.Contains("providers[4].secret_access_key: is required for kind bedrock", errors);
        Assert.Contains("providers[5].delay_per_token_ms: must not be negative (was -5)", errors);
        Assert.Equal(8, errors.Count);
    }

    [Fact]
    public void Validate_GoodEntries_NoErrors()
    {
        var options = new ProvidersOptions
        {
            Providers =
            [
                new ProviderOptions { Name = "openai", Kind = "openai", ApiKey = "k" },
                new ProviderOptions { Name = "local", Kind = "openai-compatible", BaseUrl = "http://127.0.0.1:11434/v1" },
                new ProviderOptions { Name = "az", Kind = "azure-openai", ApiKey = "k", BaseUrl = "https://r.openai.azure.com", ApiVersion = "2024-10-21", AuthMode = "bearer" },
                new ProviderOptions { Name = "br", Kind = "bedrock", Region = "us-east-1", AccessKeyId = "a", SecretAccessKey = "s" },
                new ProviderOptions { Name = "mock", Kind = "mock", DelayPerTokenMs = 3 },
            ],
        };

        Assert.Empty(ProvidersOptionsValidator.Validate(options));
    }
}
