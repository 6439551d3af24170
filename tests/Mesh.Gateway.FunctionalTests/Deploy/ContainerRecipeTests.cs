using System.Globalization;
using Mesh.Gateway.Sidecar.Admin;
using Mesh.Gateway.Sidecar.Configuration;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace Mesh.Gateway.FunctionalTests.Deploy;

/// <summary>The container recipe (sidecar/deploy/container/Dockerfile), the Kubernetes manifests and the configuration they ship
/// agree: ports, user, volumes, the ledger's writable path under a read-only root, probes, grace period, Redis for replicas, and
/// the app's provider traffic in plain HTTP to a host whose TLS the proxy originates.</summary>
public sealed class ContainerRecipeTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "deploy");

    [Fact]
    public void DockerfileDeploymentAndConfiguration_Agree()
    {
        var dockerfile = Instructions(File.ReadAllLines(Path.Combine(Root, "container", "Dockerfile")));
        var configMap = Load("kubernetes/configmap.yaml")[0];
        var configuration = new ConfigurationBuilder().AddYamlText(Scalar(configMap, "data", "sidecar.yaml"), "deploy", _ => "placeholder").Build();
        var settings = HostSettings.Load(configuration, null, null);
        var deployment = Load("kubernetes/deployment.yaml")[0];
        var pod = Node(deployment, "spec", "template", "spec");
        var container = Seq(pod, "containers").Cast<YamlMappingNode>().Single(c => Scalar(c, "name") == "mesh-gateway");

        // Ports: the image exposes the probes listener, the one the pod's port list names and the probes use.
        var probesPort = settings.Probes!.IPEndPoint!.Port;
        Assert.True(settings.Probes.IPEndPoint.Address.Equals(System.Net.IPAddress.Any), "listen.probes must be on the pod IP");
        Assert.True(System.Net.IPAddress.IsLoopback(settings.Admin.IPEndPoint!.Address), "listen.admin (console, admin API) stays on loopback");
        Assert.True(System.Net.IPAddress.IsLoopback(settings.Grpc.IPEndPoint!.Address), "listen.grpc is for the app in the pod");
        Assert.Equal([probesPort.ToString(CultureInfo.InvariantCulture)], dockerfile["EXPOSE"].Single().Split(' '));
        foreach (var probe in (string[])["startupProbe", "livenessProbe", "readinessProbe"])
        {
            Assert.Equal(probesPort.ToString(CultureInfo.InvariantCulture), Scalar(container, probe, "httpGet", "port"));
        }

        // User: the image's uid is the one the Deployment runs as, not root, and its group is the pod's fsGroup (socket 0660).
        var user = dockerfile["USER"].Single().Split(':');
        Assert.NotEqual("0", user[0]);
        Assert.Equal(user[0], Scalar(container, "securityContext", "runAsUser"));
        Assert.Equal(user[1], Scalar(pod, "securityContext", "fsGroup"));
        Assert.Equal("true", Scalar(container, "securityContext", "readOnlyRootFilesystem"));

        // Command: the image's default --config is where the Deployment mounts the ConfigMap, and the Deployment says the same.
        var cmd = dockerfile["CMD"].Single();
        var args = Seq(container, "args").Cast<YamlScalarNode>().Select(static s => s.Value!).ToList();
        Assert.Equal(args, System.Text.Json.JsonSerializer.Deserialize<List<string>>(cmd));

        // Volumes: the ledger's directory and the Envoy socket's are VOLUMEs of the image and writable mounts of the pod.
        var imageVolumes = System.Text.Json.JsonSerializer.Deserialize<List<string>>(dockerfile["VOLUME"].Single())!;
        var mounts = Seq(container, "volumeMounts").Cast<YamlMappingNode>().ToDictionary(static m => Scalar(m, "mountPath"), static m => m);
        var volumes = Seq(pod, "volumes").Cast<YamlMappingNode>().ToDictionary(static v => Scalar(v, "name"));
        var ledgerDirectory = Path.GetDirectoryName(configuration["ledger:path"])!;
        var socketDirectory = Path.GetDirectoryName(settings.Envoy!.UnixPath)!;
        foreach (var directory in new[] { ledgerDirectory, socketDirectory })
        {
            Assert.Contains(directory, imageVolumes);
            Assert.True(mounts.TryGetValue(directory, out var mount), $"{directory} is not mounted");
            Assert.False(mount.Children.ContainsKey(new YamlScalarNode("readOnly")) && Scalar(mount, "readOnly") == "true", $"{directory} must be writable");
            Assert.NotNull(Node(volumes[Scalar(mount, "name")], "emptyDir"));
        }

        // Grace period above drain + timeout.
        var grace = TimeSpan.FromSeconds(int.Parse(Scalar(pod, "terminationGracePeriodSeconds"), CultureInfo.InvariantCulture));
        Assert.True(grace > settings.DrainDelay + settings.ShutdownTimeout, $"terminationGracePeriodSeconds {grace} <= drain {settings.DrainDelay} + timeout {settings.ShutdownTimeout}");

        // Replicas share limits, budgets and keys through Redis, and the Redis service the URL names is shipped.
        Assert.True(int.Parse(Scalar(deployment, "spec", "replicas"), CultureInfo.InvariantCulture) > 1);
        var redis = new Uri(configuration["store:redis"]!);
        var service = Load("kubernetes/redis.yaml").Single(d => Scalar(d, "kind") == "Service");
        Assert.StartsWith($"{Scalar(service, "metadata", "name")}.{Scalar(service, "metadata", "namespace")}.", redis.Host, StringComparison.Ordinal);
        Assert.Equal(redis.Port.ToString(CultureInfo.InvariantCulture), Scalar(Seq(service, "spec", "ports").Cast<YamlMappingNode>().Single(), "port"));

        // The console and admin API need a credential, hashed.
        Assert.True(Mesh.Gateway.Tenancy.Authentication.ApiKeyHash.TryParse(configuration["admin:credentials:0"], out _));
        Assert.True(new AdminOptionsValidator().Validate(null, configuration.GetSection("admin").Get<AdminOptions>()!).Succeeded);
    }

    [Fact]
    public void App_SpeaksPlainHttpToTheProviderAndTheProxyOriginatesTls()
    {
        var deployment = Load("kubernetes/deployment.yaml")[0];
        var app = Seq(Node(deployment, "spec", "template", "spec"), "containers").Cast<YamlMappingNode>().Single(static c => Scalar(c, "name") == "app");
        var baseUrl = new Uri(Seq(app, "env").Cast<YamlMappingNode>().Single(static e => Scalar(e, "name") == "OPENAI_BASE_URL") is var env ? Scalar(env, "value") : string.Empty);
        Assert.Equal("http", baseUrl.Scheme);

        var manifests = Load("istio/egress-tls-origination.yaml");
        var entry = manifests.Single(static m => Scalar(m, "kind") == "ServiceEntry");
        var rule = manifests.Single(static m => Scalar(m, "kind") == "DestinationRule");
        Assert.Contains(baseUrl.Host, Seq(entry, "spec", "hosts").Cast<YamlScalarNode>().Select(static s => s.Value));
        var port = Seq(entry, "spec", "ports").Cast<YamlMappingNode>().Single(p => Scalar(p, "number") == baseUrl.Port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("HTTP", Scalar(port, "protocol"));
        Assert.Equal("443", Scalar(port, "targetPort"));
        Assert.Equal(baseUrl.Host, Scalar(rule, "spec", "host"));
        var tls = Seq(rule, "spec", "trafficPolicy", "portLevelSettings").Cast<YamlMappingNode>().Single(p => Scalar(p, "port", "number") == baseUrl.Port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("SIMPLE", Scalar(tls, "tls", "mode"));
        Assert.Equal(baseUrl.Host, Scalar(tls, "tls", "sni"));
    }

    // The final stage's instructions (after the last FROM), by keyword.
    private static Dictionary<string, List<string>> Instructions(string[] lines)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = line[..space].ToUpperInvariant();
            if (keyword == "FROM")
            {
                result.Clear();
            }

            if (!result.TryGetValue(keyword, out var list))
            {
                result[keyword] = list = [];
            }

            list.Add(line[(space + 1)..].Trim());
        }

        return result;
    }

    private static List<YamlMappingNode> Load(string relative)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Root, relative)));
        stream.Load(reader);
        return [.. stream.Documents.Select(static d => (YamlMappingNode)d.RootNode)];
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
