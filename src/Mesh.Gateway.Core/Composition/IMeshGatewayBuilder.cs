using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Core.Composition;

/// <summary>Adds the gateway's features (<c>AddProviders</c>, <c>AddInferenceApi</c>, <c>AddEnvoyDoor</c>, ...); returned by <c>AddMeshGateway</c>.</summary>
/// <remarks>
/// A feature binds its own section of <see cref="Configuration"/> once, however many times it is added, and names the
/// features it needs with <see cref="Requires"/>: a start with one of them missing fails with one line naming the call to add.
/// </remarks>
public interface IMeshGatewayBuilder
{
    /// <summary>Where the features register their services.</summary>
    IServiceCollection Services { get; }

    /// <summary>The configuration root the features bind their sections from.</summary>
    IConfiguration Configuration { get; }

    /// <summary>Records <paramref name="feature"/> (its <c>AddX</c> method name); false when it was already added, and then the caller adds nothing.</summary>
    bool TryAddFeature(string feature);

    /// <summary>Records that <paramref name="feature"/> cannot work without <paramref name="required"/> (both <c>AddX</c> method names).</summary>
    void Requires(string feature, string required);
}
