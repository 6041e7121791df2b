namespace MlopsAspire.Architecture.Tests;

/// <summary>A type with behaviour lives in a file of its own (see <see cref="SourceDeclarations"/>).</summary>
public sealed class SourceDeclarationTests
{
    private static readonly string Root = ProjectGraph.FindRepositoryRoot();

    [Fact]
    public void Finds_the_product_sources()
    {
        var files = SourceDeclarations.ProductSourceFiles(Root).ToList();
        Assert.Contains(files, file => file.EndsWith("ModelRepository.cs", StringComparison.Ordinal));
        Assert.DoesNotContain(files, file => file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_type_with_behaviour_has_a_file_of_its_own()
    {
        var problems = SourceDeclarations.ProductSourceFiles(Root)
            .Select(file => (File: Path.GetRelativePath(Root, file), Problem: SourceDeclarations.Problem(SourceDeclarations.Read(File.ReadAllText(file)))))
            .Where(entry => entry.Problem is not null)
            .Select(entry => $"{entry.File} {entry.Problem}")
            .ToList();
        Assert.True(problems.Count == 0, $"{problems.Count} files:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
    }

    [Fact]
    public void Data_records_enums_and_interfaces_may_share_a_file()
    {
        var types = SourceDeclarations.Read("""
            namespace N;
            public enum Kind { A, B }
            public sealed record Row(int Id, string Name);
            public sealed record Page { public int Size { get; init; } = 10; }
            public interface IThing { void Do(); }
            public delegate void Done(int value);
            file sealed class Hidden { public void Work() { } }
            """);
        Assert.Equal(["Kind", "Row", "Page", "IThing", "Done"], types.Select(type => type.Name));
        Assert.Null(SourceDeclarations.Problem(types));
    }

    [Theory]
    [InlineData("public sealed record Row(int Id) { public int Twice => Id * 2; }")]
    [InlineData("public sealed class Thing { public void Work() { } }")]
    [InlineData("public sealed class Failure : System.Exception { public Failure(string m) : base(m) { } }")]
    [InlineData("public sealed record Row(int Id) { public override string ToString() => \"row\"; }")]
    [InlineData("public sealed class Outer { private sealed class Inner { public int Get() => 1; } }")]
    public void A_type_with_behaviour_beside_another_is_reported(string behaviour)
    {
        var types = SourceDeclarations.Read($"namespace N;\npublic enum Kind {{ A }}\n{behaviour}");
        Assert.Contains("belong in a file of their own", SourceDeclarations.Problem(types));
    }

    [Fact]
    public void A_type_alone_in_its_file_may_have_any_behaviour()
    {
        var types = SourceDeclarations.Read("namespace N { public sealed class Thing { public void Work() { } } }");
        Assert.Null(SourceDeclarations.Problem(types));
    }
}
