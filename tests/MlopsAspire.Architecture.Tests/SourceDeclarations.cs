using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MlopsAspire.Architecture.Tests;

/// <summary>
/// The top-level types each product source file declares, read with Roslyn's parser (syntax only). A type has
/// behaviour when it declares a method, constructor, operator, indexer, event or a property or accessor with a
/// body; records of plain data, enums, delegates and interfaces are declarative and may share a file by topic.
/// Types declared <c>file</c> are part of the file they sit in and are not counted.
/// </summary>
public static class SourceDeclarations
{
    /// <summary>The folders whose sources are product code (tests and generated code are left out).</summary>
    public static readonly string[] ProductFolders = ["src", "ServiceDefaults", "AppHost", "perf"];

    public static IEnumerable<string> ProductSourceFiles(string repositoryRoot) => ProductFolders
        .Select(folder => Path.Combine(repositoryRoot, folder))
        .Where(Directory.Exists)
        .SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
        .Where(file => !IsBuildOutput(Path.GetRelativePath(repositoryRoot, file)))
        .Order(StringComparer.Ordinal);

    /// <summary>The top-level types of <paramref name="source"/>, each with whether it has behaviour.</summary>
    public static IReadOnlyList<DeclaredType> Read(string source)
    {
        var root = CSharpSyntaxTree.ParseText(source).GetCompilationUnitRoot();
        return [.. TopLevel(root.Members)
            .Where(member => !member.Modifiers.Any(SyntaxKind.FileKeyword))
            .Select(member => new DeclaredType(Name(member), HasBehaviour(member)))];
    }

    /// <summary>
    /// What is wrong with a file's declarations, or null: a file that declares more than one type holds only
    /// declarative ones, so that every type with behaviour is found by its file's name.
    /// </summary>
    public static string? Problem(IReadOnlyList<DeclaredType> types)
    {
        if (types.Count < 2)
        {
            return null;
        }

        var behaviour = types.Where(type => type.HasBehaviour).Select(type => type.Name).ToList();
        return behaviour.Count == 0
            ? null
            : $"declares {types.Count} types, and these have behaviour and belong in a file of their own: {string.Join(", ", behaviour)}";
    }

    private static bool IsBuildOutput(string relativePath)
    {
        var parts = relativePath.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return parts.Contains("obj") || parts.Contains("bin");
    }

    private static IEnumerable<MemberDeclarationSyntax> TopLevel(SyntaxList<MemberDeclarationSyntax> members) =>
        members.SelectMany(member => member is BaseNamespaceDeclarationSyntax ns
            ? TopLevel(ns.Members)
            : member is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax ? [member] : []);

    private static string Name(MemberDeclarationSyntax member) => member switch
    {
        BaseTypeDeclarationSyntax type => type.Identifier.ValueText,
        DelegateDeclarationSyntax @delegate => @delegate.Identifier.ValueText,
        _ => member.Kind().ToString(),
    };

    private static bool HasBehaviour(MemberDeclarationSyntax member) => member switch
    {
        InterfaceDeclarationSyntax or EnumDeclarationSyntax or DelegateDeclarationSyntax => false,
        TypeDeclarationSyntax type => type.Members.Any(IsBehaviour),
        _ => false,
    };

    private static bool IsBehaviour(MemberDeclarationSyntax member) => member switch
    {
        BaseMethodDeclarationSyntax => true,
        IndexerDeclarationSyntax or EventDeclarationSyntax => true,
        PropertyDeclarationSyntax property => property.ExpressionBody is not null
            || property.AccessorList?.Accessors.Any(accessor => accessor.Body is not null || accessor.ExpressionBody is not null) == true,
        TypeDeclarationSyntax nested => nested.Members.Any(IsBehaviour),
        _ => false,
    };
}

/// <summary>A top-level type a source file declares.</summary>
public sealed record DeclaredType(string Name, bool HasBehaviour);
