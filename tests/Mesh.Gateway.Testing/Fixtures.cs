namespace Mesh.Gateway.Testing;

/// <summary>Paths of the recorded provider traffic copied into every referencing project's output folder.</summary>
public static class RecordedFixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static byte[] ReadBytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static string ReadText(string relative) => File.ReadAllText(PathOf(relative));

    public static IEnumerable<string> Files(string folder, string pattern) =>
        Directory.EnumerateFiles(PathOf(folder), pattern).Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal);
}
