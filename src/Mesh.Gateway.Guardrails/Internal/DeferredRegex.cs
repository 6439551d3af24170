using System.Text.RegularExpressions;

namespace Mesh.Gateway.Guardrails.Internal;

/// <summary>A regex built on its first use, once, for any number of threads.</summary>
/// <remarks>
/// The detectors' non-backtracking regexes are expensive to build (their automata: about two thirds of the native sidecar's
/// first Generate and much of its early heap, issue 22) and each runs only when the keyword prefilter finds one of its trigger
/// words, so text with nothing suspicious never builds them. Building is serialised: two first uses at once build one regex.
/// </remarks>
internal sealed class DeferredRegex(string pattern, RegexOptions options)
{
    private readonly Lazy<Regex> _regex = new(() => new Regex(pattern, options), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The regex, built now if this is its first use.</summary>
    public Regex Value => _regex.Value;

    /// <summary>True once the regex has been built.</summary>
    public bool IsBuilt => _regex.IsValueCreated;
}
