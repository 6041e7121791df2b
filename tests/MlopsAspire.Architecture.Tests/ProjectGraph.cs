using System.Xml.Linq;

namespace MlopsAspire.Architecture.Tests;

/// <summary>The product's projects (src/, ServiceDefaults/, AppHost/) and the projects each one references, read from the .csproj files.</summary>
public sealed class ProjectGraph
{
    private ProjectGraph(IReadOnlyDictionary<string, IReadOnlyList<string>> references) => References = references;

    /// <summary>Project name (file name without .csproj) → names of the projects it references.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> References { get; }

    public static ProjectGraph Load(string repositoryRoot)
    {
        var files = new[] { "src", "ServiceDefaults", "AppHost" }
            .Select(folder => Path.Combine(repositoryRoot, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.csproj", SearchOption.AllDirectories));
        var references = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            references[Path.GetFileNameWithoutExtension(file)] = [.. XDocument.Load(file)
                .Descendants()
                .Where(element => element.Name.LocalName == "ProjectReference")
                .Select(element => (string?)element.Attribute("Include") ?? "")
                .Select(include => Path.GetFileNameWithoutExtension(include.Replace('\\', '/')))
                .Order(StringComparer.Ordinal)];
        }

        return new ProjectGraph(references);
    }

    /// <summary>The folder holding MlopsAspire.sln, found upwards from the test's output folder.</summary>
    public static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MlopsAspire.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no MlopsAspire.sln above {AppContext.BaseDirectory}");
    }
}
