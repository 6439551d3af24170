using Mesh.Gateway.Sidecar.Configuration;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace Mesh.Gateway.FunctionalTests.Envoy;

/// <summary>Every manifest in sidecar/deploy parses, and its ports, socket paths, names and namespaces agree with the
/// sidecar configuration it ships with (read through the sidecar's own configuration code), and the proxy reaches the
/// Envoy door the way only the proxy can (docs/0014-threat-model.md).</summary>
public sealed class DeployManifestTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "deploy");

    [Fact]
    public void AllManifests_Parse()
    {
        var files = Directory.GetFiles(Root, "*.yaml", SearchOption.AllDirectories);
        Assert.True(files.Length >= 8, $"found {files.Length} manifests");
        foreach (var file in files)
        {
            Assert.NotEmpty(Load(file));
        }
    }

    [Fact]
    public void Kubernetes_DeploymentMatchesConfigMapSidecarSettings()
    {
        var configMap = Load("kubernetes/configmap.yaml")[0];
        var sidecarYaml = Scalar(configMap, "data", "sidecar.yaml");
        var (settings, config) = Settings(sidecarYaml);
        var grpcPort = settings.Grpc.IPEndPoint!.Port;
        var probesPort = settings.Probes!.IPEndPoint!.Port;
        Assert.NotEqual(0, grpcPort);

        var deployment = Load("kubernetes/deployment.yaml")[0];
        var spec = Node(deployment, "spec", "template", "spec");
        var container = Seq(spec, "containers").Cast<YamlMappingNode>().Single(c => Scalar(c, "name") == "mesh-gateway");
        var ports = Seq(container, "ports").Cast<YamlMappingNode>().ToDictionary(p => Scalar(p, "name"), p => int.Parse(Scalar(p, "containerPort"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(grpcPort, ports["grpc-mesh"]);
        Assert.Equal(probesPort, ports["http-probes"]);
        Assert.StartsWith("grpc", ports.Keys.First(k => ports[k] == grpcPort), StringComparison.Ordinal); // Istio protocol sniffing by name
        foreach (var (probe, path) in new[] { ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz") })
        {
            Assert.Equal(path, Scalar(container, probe, "httpGet", "path"));
            Assert.Equal(probesPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(container, probe, "httpGet", "port"));
        }

        Assert.NotNull(Node(container, "resources", "limits"));
        var args = Seq(container, "args").Cast<YamlScalarNode>().Select(s => s.Value).ToList();
        var configPath = args[args.IndexOf("--config") + 1]!;
        var mounts = Seq(container, "volumeMounts").Cast<YamlMappingNode>().ToDictionary(m => Scalar(m, "name"), m => Scalar(m, "mountPath"));
        Assert.Equal(mounts["mesh-gateway-config"] + "/sidecar.yaml", configPath);
        var volumes = Seq(spec, "volumes").Cast<YamlMappingNode>().ToDictionary(v => Scalar(v, "name"));
        Assert.Equal(Scalar(configMap, "metadata", "name"), Scalar(volumes["mesh-gateway-config"], "configMap", "name"));
        Assert.NotNull(Node(volumes["mesh-gateway-socket"], "emptyDir"));

        // The Envoy door's socket is in the volume mesh-gateway mounts, the proxy mounts (Istio: userVolumeMount) and the app does not.
        Assert.Equal(mounts["mesh-gateway-socket"], Path.GetDirectoryName(settings.Envoy!.UnixPath));
        var (envoySettings, _) = Settings(File.ReadAllText(Path.Combine(Root, "envoy/sidecar.yaml")));
        Assert.Equal(mounts["mesh-gateway-socket"], Path.GetDirectoryName(envoySettings.Envoy!.UnixPath));
        var app = Seq(spec, "containers").Cast<YamlMappingNode>().Single(c => Scalar(c, "name") == "app");
        Assert.False(app.Children.ContainsKey(new YamlScalarNode("volumeMounts")) && Seq(app, "volumeMounts").Cast<YamlMappingNode>().Any(m => Scalar(m, "name") == "mesh-gateway-socket"));
        using var proxyMount = System.Text.Json.JsonDocument.Parse(Scalar(deployment, "spec", "template", "metadata", "annotations", "sidecar.istio.io/userVolumeMount"));
        Assert.Equal(mounts["mesh-gateway-socket"], proxyMount.RootElement.GetProperty("mesh-gateway-socket").GetProperty("mountPath").GetString());
        Assert.Equal("1337", Scalar(spec, "securityContext", "fsGroup")); // istio-proxy's group may open the 0660 socket
        Assert.Equal("mesh.gateway", config["envoy:metadata_namespace"]);
    }

    [Fact]
    public void EverySidecarConfiguration_ServesTheEnvoyDoorApartFromTheAppAndAuthenticatesTheProxy()
    {
        foreach (var yaml in new[] { Scalar(Load("kubernetes/configmap.yaml")[0], "data", "sidecar.yaml"), File.ReadAllText(Path.Combine(Root, "envoy/sidecar.yaml")) })
        {
            var (settings, _) = Settings(yaml);

            Assert.NotNull(settings.Envoy);
            Assert.NotEqual(settings.Grpc, settings.Envoy);

            // The proof is the socket's volume, or on TCP the secret (HostSettings refuses TCP without one).
            Assert.True(settings.Envoy.UnixPath is not null || settings.EnvoySecret is not null);
        }
    }

    [Fact]
    public void Istio_OutboundExtAuthzAndExtProcOnTheProvidersVirtualHost_OverTheSocket()
    {
        var (settings, config) = Settings(Scalar(Load("kubernetes/configmap.yaml")[0], "data", "sidecar.yaml"));
        var deployment = Load("kubernetes/deployment.yaml")[0];
        var app = Seq(Node(deployment, "spec", "template", "spec"), "containers").Cast<YamlMappingNode>().Single(static c => Scalar(c, "name") == "app");
        var baseUrl = new Uri(Scalar(Seq(app, "env").Cast<YamlMappingNode>().Single(static e => Scalar(e, "name") == "OPENAI_BASE_URL"), "value"));
        var port = baseUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // No CUSTOM AuthorizationPolicy: it would apply to the app's inbound traffic, never to the calls it makes.
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(Root, "istio"), "*.yaml").SelectMany(static f => Load(f)), static m => Scalar(m, "kind") == "AuthorizationPolicy");

        var filter = Load("istio/envoyfilter-mesh-gateway.yaml")[0];
        Assert.Equal(Scalar(deployment, "metadata", "namespace"), Scalar(filter, "metadata", "namespace"));
        Assert.Equal(Scalar(Node(deployment, "spec", "template", "metadata", "labels"), "app"), Scalar(filter, "spec", "workloadSelector", "labels", "app"));
        var patches = Seq(filter, "spec", "configPatches").Cast<YamlMappingNode>().ToList();

        // The cluster: the sidecar's Envoy socket, HTTP/2.
        var cluster = Node(patches.Single(p => Scalar(p, "applyTo") == "CLUSTER"), "patch", "value");
        var clusterName = Scalar(cluster, "name");
        var endpoint = Seq(Seq(cluster, "load_assignment", "endpoints").Cast<YamlMappingNode>().Single(), "lb_endpoints").Cast<YamlMappingNode>().Single();
        Assert.Equal(settings.Envoy!.UnixPath, Scalar(endpoint, "endpoint", "address", "pipe", "path"));
        Assert.NotNull(Node(cluster, "typed_extension_protocol_options", "envoy.extensions.upstreams.http.v3.HttpProtocolOptions", "explicit_http_config", "http2_protocol_options"));

        // ext_authz then ext_proc, before the router of the OUTBOUND listener on the port the app calls; off by default.
        var filters = patches.Where(static p => Scalar(p, "applyTo") == "HTTP_FILTER").ToList();
        Assert.Equal(["envoy.filters.http.ext_authz", "envoy.filters.http.ext_proc"], filters.Select(static p => Scalar(p, "patch", "value", "name")));
        foreach (var patch in filters)
        {
            Assert.Equal("SIDECAR_OUTBOUND", Scalar(patch, "match", "context"));
            Assert.Equal(port, Scalar(patch, "match", "listener", "portNumber"));
            Assert.Equal("envoy.filters.http.router", Scalar(patch, "match", "listener", "filterChain", "filter", "subFilter", "name"));
            Assert.Equal("INSERT_BEFORE", Scalar(patch, "patch", "operation"));
            Assert.Equal("true", Scalar(patch, "patch", "value", "disabled"));
            Assert.Equal(clusterName, Scalar(patch, "patch", "value", "typed_config", "grpc_service", "envoy_grpc", "cluster_name"));
            Assert.Equal("false", Scalar(patch, "patch", "value", "typed_config", "failure_mode_allow"));
        }

        var authz = Node(filters[0], "patch", "value", "typed_config");
        Assert.Equal("false", Scalar(authz, "with_request_body", "allow_partial_message"));
        Assert.Equal("true", Scalar(authz, "with_request_body", "pack_as_bytes"));
        Assert.Equal(new Mesh.Gateway.Envoy.Configuration.EnvoyOptions().MaxRequestBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(authz, "with_request_body", "max_request_bytes"));
        Assert.Equal("ServiceUnavailable", Scalar(authz, "status_on_error", "code"));
        var extProc = Node(filters[1], "patch", "value", "typed_config");
        Assert.Equal("true", Scalar(extProc, "allow_mode_override"));
        Assert.Equal("BUFFERED", Scalar(extProc, "processing_mode", "request_body_mode"));
        Assert.Contains(config["envoy:metadata_namespace"], Seq(extProc, "metadata_options", "receiving_namespaces", "untyped").Cast<YamlScalarNode>().Select(s => s.Value));

        // Turned on for the provider's virtual host alone (Istio names it host:port), the one the app's base URL reaches.
        var vhost = patches.Single(static p => Scalar(p, "applyTo") == "VIRTUAL_HOST");
        Assert.Equal("SIDECAR_OUTBOUND", Scalar(vhost, "match", "context"));
        Assert.Equal(port, Scalar(vhost, "match", "routeConfiguration", "portNumber"));
        Assert.Equal($"{baseUrl.Host}:{port}", Scalar(vhost, "match", "routeConfiguration", "vhost", "name"));
        var perFilter = (YamlMappingNode)Node(vhost, "patch", "value", "typed_per_filter_config");
        Assert.Equal(filters.Select(static p => Scalar(p, "patch", "value", "name")), perFilter.Children.Keys.Cast<YamlScalarNode>().Select(static k => k.Value));
        Assert.Equal("type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute", Scalar(perFilter, "envoy.filters.http.ext_authz", "@type"));
        Assert.Equal("type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExtProcPerRoute", Scalar(perFilter, "envoy.filters.http.ext_proc", "@type"));
        Assert.False(((YamlMappingNode)Node(perFilter, "envoy.filters.http.ext_authz")).Children.ContainsKey(new YamlScalarNode("disabled")));
        Assert.False(((YamlMappingNode)Node(perFilter, "envoy.filters.http.ext_proc")).Children.ContainsKey(new YamlScalarNode("disabled")));
    }

    [Fact]
    public void StandaloneEnvoy_BothFiltersUseTheSidecarSocketAndRouteToBothProviders()
    {
        var (settings, config) = Settings(File.ReadAllText(Path.Combine(Root, "envoy/sidecar.yaml")));
        var envoy = Load("envoy/envoy.yaml")[0];
        var clusters = Seq(envoy, "static_resources", "clusters").Cast<YamlMappingNode>().ToDictionary(c => Scalar(c, "name"));
        var gateway = clusters["mesh_gateway"];
        var endpoint = Seq(Seq(gateway, "load_assignment", "endpoints").Cast<YamlMappingNode>().Single(), "lb_endpoints").Cast<YamlMappingNode>().Single();
        Assert.Equal(settings.Envoy!.UnixPath, Scalar(endpoint, "endpoint", "address", "pipe", "path"));
        Assert.NotNull(Node(gateway, "typed_extension_protocol_options", "envoy.extensions.upstreams.http.v3.HttpProtocolOptions", "explicit_http_config", "http2_protocol_options"));
        Assert.Contains("openai", clusters.Keys);
        Assert.Contains("anthropic", clusters.Keys);

        var listener = Seq(envoy, "static_resources", "listeners").Cast<YamlMappingNode>().Single();
        var hcm = Seq(Seq(listener, "filter_chains").Cast<YamlMappingNode>().Single(), "filters").Cast<YamlMappingNode>().Single();
        var filters = Seq(hcm, "typed_config", "http_filters").Cast<YamlMappingNode>().ToList();
        Assert.Equal(["envoy.filters.http.ext_authz", "envoy.filters.http.ext_proc", "envoy.filters.http.router"], filters.Select(f => Scalar(f, "name")));
        Assert.Equal("mesh_gateway", Scalar(filters[0], "typed_config", "grpc_service", "envoy_grpc", "cluster_name"));
        Assert.Equal("V3", Scalar(filters[0], "typed_config", "transport_api_version"));
        Assert.Equal("false", Scalar(filters[0], "typed_config", "with_request_body", "allow_partial_message"));
        Assert.Equal(FakeEnvoy.MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(filters[0], "typed_config", "with_request_body", "max_request_bytes"));
        Assert.Equal("mesh_gateway", Scalar(filters[1], "typed_config", "grpc_service", "envoy_grpc", "cluster_name"));
        Assert.Contains(config["envoy:metadata_namespace"], Seq(filters[1], "typed_config", "metadata_options", "receiving_namespaces", "untyped").Cast<YamlScalarNode>().Select(s => s.Value));
        var routes = Seq(Seq(hcm, "typed_config", "route_config", "virtual_hosts").Cast<YamlMappingNode>().Single(), "routes").Cast<YamlMappingNode>()
            .Select(r => Scalar(r, "route", "cluster")).ToHashSet();
        Assert.Equal(["anthropic", "openai"], routes.Order());
    }

    [Fact]
    public void Manifests_AgreeWithTheSidecarDefaults()
    {
        // The manifests spell out the defaults; a default that changes must change them too.
        var defaults = HostSettings.Load(new ConfigurationBuilder().Build(), null, null);
        var envoyDefaults = new Mesh.Gateway.Envoy.Configuration.EnvoyOptions();
        var (settings, config) = Settings(Scalar(Load("kubernetes/configmap.yaml")[0], "data", "sidecar.yaml"));

        Assert.Equal(defaults.Grpc.IPEndPoint!.Port, settings.Grpc.IPEndPoint!.Port);
        Assert.Equal(defaults.Admin.IPEndPoint!.Port, settings.Admin.IPEndPoint!.Port);
        Assert.Null(defaults.Envoy); // no envoy: section, no listen.envoy: the door is served nowhere
        Assert.Equal(HostSettings.DefaultEnvoyAddress, settings.Envoy!.Text);
        Assert.Equal(FakeEnvoy.MaxRequestBytes, new Mesh.Gateway.Envoy.Configuration.EnvoyOptions().MaxRequestBodyBytes);
        Assert.Equal(envoyDefaults.MetadataNamespace, config["envoy:metadata_namespace"]);
        Assert.Equal(envoyDefaults.TenantHeader, config["envoy:tenant_header"]);
        var envoy = Load("envoy/envoy.yaml")[0];
        var filters = Seq(Seq(Seq(Seq(envoy, "static_resources", "listeners").Cast<YamlMappingNode>().Single(), "filter_chains").Cast<YamlMappingNode>().Single(), "filters")
            .Cast<YamlMappingNode>().Single(), "typed_config", "http_filters").Cast<YamlMappingNode>().ToList();
        var extProc = Node(filters.Single(f => Scalar(f, "name") == "envoy.filters.http.ext_proc"), "typed_config");
        Assert.Equal([envoyDefaults.MetadataNamespace], Seq(extProc, "metadata_options", "receiving_namespaces", "untyped").Cast<YamlScalarNode>().Select(s => s.Value));
        Assert.Equal(["envoy.filters.http.ext_authz"], Seq(extProc, "metadata_options", "forwarding_namespaces", "untyped").Cast<YamlScalarNode>().Select(s => s.Value));
        foreach (var typed in new[] { extProc, Node(Seq(Load("istio/envoyfilter-mesh-gateway.yaml")[0], "spec", "configPatches").Cast<YamlMappingNode>().Single(p => Scalar(p, "patch", "operation") == "INSERT_BEFORE" && Scalar(p, "patch", "value", "name") == "envoy.filters.http.ext_proc"), "patch", "value", "typed_config") })
        {
            // Fail closed, BUFFERED request body (redaction rewrites it whole), SSE switched to STREAMED by the sidecar.
            Assert.Equal("false", Scalar(typed, "failure_mode_allow"));
            Assert.Equal("true", Scalar(typed, "allow_mode_override"));
            Assert.Equal("BUFFERED", Scalar(typed, "processing_mode", "request_body_mode"));
            Assert.Equal("SEND", Scalar(typed, "processing_mode", "response_header_mode"));
        }
    }

    private static (HostSettings Settings, IConfiguration Config) Settings(string yaml)
    {
        var config = new ConfigurationBuilder().AddYamlText(yaml, "deploy", _ => "placeholder").Build();
        return (HostSettings.Load(config, null, null), config);
    }

    private static List<YamlMappingNode> Load(string relative)
    {
        var path = Path.IsPathRooted(relative) ? relative : Path.Combine(Root, relative);
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(path));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
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
