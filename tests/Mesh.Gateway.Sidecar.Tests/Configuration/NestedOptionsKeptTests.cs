using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Sidecar.Configuration;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar.Tests.Configuration;

/// <summary>The unknown-key check reads each section's known keys from its option types' properties (ConfigurationSchemaReflector),
/// and reaches a nested type (<c>capture.store</c>, <c>models[].targets[]</c>) through a property's type, which the native
/// build's trimmer cannot follow: unless a <c>[DynamicDependency(PublicProperties, typeof(X))]</c> keeps X's properties, the
/// native binary calls every key under it unknown and does not start (session 12: <c>capture.store.max_entries</c>). The JIT
/// build cannot show that, so this test asks that every nested option type be named by such an attribute.</summary>
public sealed class NestedOptionsKeptTests
{
    [Fact]
    public void EveryNestedOptionsType_IsKeptForTheNativeBuild()
    {
        var assemblies = new[] { typeof(HostSettings).Assembly }
            .Concat(typeof(HostSettings).Assembly.GetReferencedAssemblies().Where(static a => a.Name!.StartsWith("Mesh.Gateway", StringComparison.Ordinal)).Select(Assembly.Load))
            .Distinct()
            .ToList();
        var types = assemblies.SelectMany(static a => a.GetTypes()).ToList();
        var kept = types
            .SelectMany(static t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly).Cast<MemberInfo>().Concat(t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)))
            .SelectMany(static m => m.GetCustomAttributes<DynamicDependencyAttribute>())
            .Where(static d => d.Type is not null && d.MemberTypes.HasFlag(DynamicallyAccessedMemberTypes.PublicProperties))
            .Select(static d => d.Type!)
            .ToHashSet();

        // The section schemas the unknown-key check uses. A type handed to ConfigurationNode.Of<T>() or AddBoundOptions<T>() is
        // kept by their [DynamicallyAccessedMembers]; an object reached below one of its properties is not.
        var services = new ServiceCollection();
        SidecarFeatures.AddServices(services, new ConfigurationBuilder().Build());
        var reached = new HashSet<Type>();
        foreach (var section in HostConfigurationSchema.All(services))
        {
            Walk(section.Node, underProperty: false, reached);
        }

        var missing = reached.Where(t => !kept.Contains(t)).Select(static t => t.FullName!).Order(StringComparer.Ordinal).ToList();
        Assert.True(reached.Count > 5, "the scan reached no nested option type");
        Assert.True(missing.Count == 0, "nested option types whose keys the native build would call unknown (add [DynamicDependency(PublicProperties | PublicParameterlessConstructor, typeof(X))] to the feature's AddX): " + string.Join(", ", missing));
    }

    private static void Walk(ConfigurationNode node, bool underProperty, HashSet<Type> reached)
    {
        switch (node)
        {
            case ConfigurationObjectNode obj:
                foreach (var key in obj.Keys)
                {
                    if (underProperty && key.Property?.ReflectedType is { } type)
                    {
                        reached.Add(type);
                    }

                    Walk(key.Node, underProperty || key.Property is not null, reached);
                }

                break;
            case ConfigurationListNode list:
                Walk(list.Item, underProperty, reached);
                break;
            case ConfigurationMapNode map:
                Walk(map.Entry, underProperty, reached);
                break;
            default:
                break;
        }
    }
}
