namespace Mesh.Gateway.Interop.Tests.Infrastructure;

/// <summary>Paths inside the repository, found from the test assembly's folder.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mesh.Gateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Mesh.Gateway.sln not found above {AppContext.BaseDirectory}.");
    });

    public static string Root => RootPath.Value;

    public static string Interop => Path.Combine(Root, "tests", "Interop");
}
