using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Core.Composition;

/// <summary>One applied version of the whole configuration: its number, its hash, and every feature's options bound from it and validated.</summary>
/// <param name="Number">1 for the configuration the sidecar started with, then one more per applied reload.</param>
/// <param name="Hash">The SHA-256 of the file's text (lower-case hex); empty when the configuration is not from a file.</param>
/// <param name="AppliedAt">When it was applied.</param>
/// <param name="Options">Where its options resolve (every type registered through <see cref="MeshOptions.AddBoundOptions{TOptions}"/>).</param>
public sealed record ConfigurationVersion(long Number, string Hash, DateTimeOffset AppliedAt, IServiceProvider Options)
{
    /// <summary>The validated <typeparamref name="TOptions"/> of this version.</summary>
    public TOptions Get<TOptions>()
        where TOptions : class => Options.GetRequiredService<TOptions>();
}
