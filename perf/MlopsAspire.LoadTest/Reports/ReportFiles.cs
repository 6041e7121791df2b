namespace MlopsAspire.LoadTest.Reports;

/// <summary>Writes report.json, report.md and report.html into a folder.</summary>
public static class ReportFiles
{
    public const string JsonName = "report.json";
    public const string MarkdownName = "report.md";
    public const string HtmlName = "report.html";

    public static IReadOnlyList<string> Write(LoadTestReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new (string Name, string Content)[]
        {
            (JsonName, JsonReportWriter.Write(report)),
            (MarkdownName, MarkdownReportWriter.Write(report)),
            (HtmlName, HtmlReportWriter.Write(report)),
        };
        var paths = new List<string>();
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(directory, name);
            File.WriteAllText(path, content);
            paths.Add(path);
        }

        return paths;
    }
}
