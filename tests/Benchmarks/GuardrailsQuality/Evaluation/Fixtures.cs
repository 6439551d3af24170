namespace Mesh.Gateway.GuardrailsQuality.Evaluation;

/// <summary>Finds the fixtures folder (tests/Mesh.Gateway.Guardrails.Tests/Fixtures) by walking up to the repository root.</summary>
internal static class Fixtures
{
    private static readonly Lazy<string> RootLazy = new(Find);

    internal static string Root => RootLazy.Value;

    internal static string RepoRoot => Path.GetFullPath(Path.Combine(Root, "..", "..", ".."));

    internal static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Mesh.Gateway.Guardrails.Tests", "Fixtures");
            if (File.Exists(Path.Combine(dir.FullName, "Mesh.Gateway.sln")) && Directory.Exists(candidate))
            {
                return candidate;
            }

            dir = dir.Parent;
        }

        throw new DirectoryNotFoundException("tests/Mesh.Gateway.Guardrails.Tests/Fixtures not found above " + AppContext.BaseDirectory);
    }
}
