using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Sidecar.Tests.Hosting;

public sealed class StartupErrorMessageTests
{
    [Fact]
    public void DescribeStartupError_SeveralSectionsInvalid_OneFailurePerLine()
    {
        var error = new AggregateException(
            new OptionsValidationException("", typeof(object), ["providers[0].kind: is required", "providers[1].name: is required"]),
            new OptionsValidationException("", typeof(string), ["guardrails.pii.threshold: must be between 0 and 1 (was -1)"]));

        var message = GatewayHost.DescribeStartupError(error, app: null);

        Assert.Equal("providers[0].kind: is required\nproviders[1].name: is required\nguardrails.pii.threshold: must be between 0 and 1 (was -1)", message);
    }

    [Fact]
    public void DescribeStartupError_AggregateWithABug_NotDescribed() =>
        Assert.Null(GatewayHost.DescribeStartupError(
            new AggregateException(new OptionsValidationException("", typeof(object), ["a: b"]), new FormatException("a bug")), app: null));

    [Fact]
    public void OneLine_SectionHeaderThenErrors_ErrorsFollowTheHeader() =>
        Assert.Equal(
            "Invalid telemetry configuration: telemetry.otlp_protocol: must be grpc or http/protobuf (was 'x'); telemetry.service_name: must not be empty",
            GatewayHost.OneLine("Invalid telemetry configuration:\ntelemetry.otlp_protocol: must be grpc or http/protobuf (was 'x')\r\ntelemetry.service_name: must not be empty"));
}
