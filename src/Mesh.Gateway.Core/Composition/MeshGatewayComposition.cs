using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Core.Composition;

/// <summary>The features added through <see cref="IMeshGatewayBuilder"/> and what each needs; checked when the host starts.</summary>
internal sealed class MeshGatewayComposition
{
    public HashSet<string> Features { get; } = new(StringComparer.Ordinal);

    public List<(string Feature, string Required)> Requirements { get; } = [];

    /// <summary>One error per missing feature, naming who needs it and the call that adds it.</summary>
    public IReadOnlyList<string> MissingFeatures() =>
        [.. Requirements
            .Where(r => !Features.Contains(r.Required))
            .Select(static r => $"{r.Feature}() needs {r.Required}(): add it to AddMeshGateway(...)")
            .Distinct(StringComparer.Ordinal)];

    /// <summary>Runs through the options system, so a missing feature stops the start (<c>ValidateOnStart</c>).</summary>
    internal sealed class Validator : IValidateOptions<MeshGatewayComposition>
    {
        public ValidateOptionsResult Validate(string? name, MeshGatewayComposition options) =>
            MeshOptions.Result(options.MissingFeatures());
    }
}
