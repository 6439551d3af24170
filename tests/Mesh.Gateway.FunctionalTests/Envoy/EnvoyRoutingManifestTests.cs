using Mesh.Gateway.Api.Inference;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Providers.Upstream;
using Mesh.Gateway.Sidecar.Configuration;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace Mesh.Gateway.FunctionalTests.Envoy;

/// <summary>sidecar/deploy/envoy-routing: the Envoy that routes on the gateway's choice agrees with the sidecar configuration
/// it ships with (every provider has its cluster, the route reads the headers ext_proc sets, the models validate).</summary>
public sealed class EnvoyRoutingManifestTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "deploy", "envoy-routing");

    [Fact]
    public void EnvoyRouting_ClusterPerProviderRouteOnGatewayHeadersAndValidModels()
    {
        var config = new ConfigurationBuilder().AddYamlText(File.ReadAllText(Path.Combine(Root, "sidecar.yaml")), "deploy", _ => "placeholder").Build();
        var providers = config.GetSection("providers").GetChildren().Select(static p => p["name"]!).ToList();
        var models = InferenceServiceCollectionExtensions.BindModels(config);
        Assert.Empty(ModelsOptionsValidator.Validate(models, providers));
        Assert.Equal(["chat", "claude", "gemini-chat"], models.Models.Select(static m => m.Name));

        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(Path.Combine(Root, "envoy.yaml"))))
        {
            stream.Load(reader);
        }

        var envoy = (YamlMappingNode)stream.Documents[0].RootNode;
        var clusters = Seq(envoy, "static_resources", "clusters").Cast<YamlMappingNode>().Select(c => Scalar(c, "name")).ToHashSet();
        Assert.Superset(providers.ToHashSet(), clusters);
        var hcm = Seq(Seq(Seq(envoy, "static_resources", "listeners").Cast<YamlMappingNode>().Single(), "filter_chains").Cast<YamlMappingNode>().Single(), "filters")
            .Cast<YamlMappingNode>().Single();
        var first = Seq(Seq(Node(hcm, "typed_config", "route_config"), "virtual_hosts").Cast<YamlMappingNode>().Single(), "routes").Cast<YamlMappingNode>().First();
        Assert.Equal(UpstreamRewrite.ClusterHeader, Scalar(first, "route", "cluster_header"));
        Assert.Equal(UpstreamRewrite.HostHeader, Scalar(first, "route", "host_rewrite_header"));
        Assert.Equal(UpstreamRewrite.ClusterHeader, Scalar(Seq(first, "match", "headers").Cast<YamlMappingNode>().Single(), "name"));
        var extProc = Seq(Node(hcm, "typed_config"), "http_filters").Cast<YamlMappingNode>().Single(f => Scalar(f, "name") == "envoy.filters.http.ext_proc");
        Assert.Equal("BUFFERED", Scalar(extProc, "typed_config", "processing_mode", "request_body_mode"));
        Assert.False(((YamlMappingNode)Node(extProc, "typed_config")).Children.ContainsKey(new YamlScalarNode("disable_clear_route_cache")));
    }

    private static YamlNode Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }

        return node;
    }

    private static string Scalar(YamlNode node, params string[] path) => ((YamlScalarNode)Node(node, path)).Value!;

    private static YamlSequenceNode Seq(YamlNode node, params string[] path) => (YamlSequenceNode)Node(node, path);
}
