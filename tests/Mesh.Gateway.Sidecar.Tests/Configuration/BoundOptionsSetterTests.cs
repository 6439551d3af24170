using System.Reflection;
using System.Runtime.CompilerServices;
using Mesh.Gateway.Sidecar.Hosting;

namespace Mesh.Gateway.Sidecar.Tests.Configuration;

/// <summary>The configuration binder's source generator (on in every build, JIT and native alike) leaves an <c>init</c>-only
/// property empty without a word: twice a section was silently ignored that way (a prompt's budgets, the whole
/// <c>capture:</c>). Every option type the binder fills must therefore have settable properties.</summary>
public sealed class BoundOptionsSetterTests
{
    // The types handed to IConfiguration.Get<T>() (the binder), with everything they reach. Add a type here when a feature
    // binds a new one with Get<T>(); sections read by hand (prompts:, guardrails:, cache:, http:) may keep init.
    private static readonly string[] Roots =
    [
        "AdminOptions", "CaptureOptions", "ModelPriceOptions", "EnvoyOptions", "JwtOptions", "LedgerOptions", "ModelRouteOptions",
        "ProviderOptions", "TenantOptions", "MtlsOptions", "StoreOptions", "TelemetryOptions",
    ];

    [Fact]
    public void EveryOptionsTypeTheBinderFills_HasNoInitOnlyProperty()
    {
        var assemblies = new[] { typeof(HostSettings).Assembly }
            .Concat(typeof(HostSettings).Assembly.GetReferencedAssemblies().Where(static a => a.Name!.StartsWith("Mesh.Gateway", StringComparison.Ordinal)).Select(Assembly.Load))
            .Distinct()
            .ToList();
        var types = assemblies.SelectMany(static a => a.GetTypes()).Where(static t => t.IsClass).ToList();
        var roots = Roots.Select(name => Assert.Single(types, t => t.Name == name)).ToList();

        var offenders = new SortedSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<Type>();
        var queue = new Queue<Type>(roots);
        while (queue.TryDequeue(out var type))
        {
            if (!seen.Add(type) || type.Namespace?.StartsWith("Mesh.Gateway", StringComparison.Ordinal) != true)
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.SetMethod?.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)) == true)
                {
                    offenders.Add($"{type.FullName}.{property.Name}");
                }

                foreach (var inner in Inner(property.PropertyType))
                {
                    queue.Enqueue(inner);
                }
            }
        }

        Assert.True(seen.Count > Roots.Length, "the scan reached nothing beyond its roots");
        Assert.True(offenders.Count == 0, "init-only properties the binder would leave empty (use set): " + string.Join(", ", offenders));
    }

    private static IEnumerable<Type> Inner(Type type) =>
        type.IsGenericType ? type.GetGenericArguments().SelectMany(Inner) : type.IsArray ? Inner(type.GetElementType()!) : [type];
}
