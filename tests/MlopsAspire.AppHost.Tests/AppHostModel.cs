using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MlopsAspire.AppHost.Tests;

/// <summary>
/// The resources the AppHost declares for given arguments, read from its builder: the AppHost's own code runs up to
/// building the application, and nothing is started.
/// </summary>
public sealed class AppHostModel
{
    // Given, so that building the model never generates a secret into the developer's user secrets.
    private static readonly string[] Secrets =
    [
        "--Parameters:mlops-reader-key=model-reader-key-0123456789abcdef0123",
        "--Parameters:mlops-operator-key=model-operator-key-0123456789abcdef01",
        "--Parameters:mlops-admin-key=model-admin-key-0123456789abcdef012345",
        "--Parameters:mlops-training-key=model-training-key-0123456789abcdef01",
        "--Parameters:store-password=model-store-password-0123456789abcdef",
    ];

    private AppHostModel(IReadOnlyList<IResource> resources) => Resources = resources;

    public IReadOnlyList<IResource> Resources { get; }

    public static async Task<AppHostModel> BuildAsync(params string[] arguments)
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MlopsAspire_AppHost>([.. Secrets, .. arguments]);
        return new AppHostModel([.. builder.Resources]);
    }

    public IEnumerable<ProjectResource> Projects => Resources.OfType<ProjectResource>();

    public ProjectResource Project(string name) => Assert.Single(Projects, project => project.Name == name);

    /// <summary>How many processes the orchestrator starts for <paramref name="project"/>.</summary>
    public static int Processes(ProjectResource project) =>
        project.Annotations.OfType<ReplicaAnnotation>().SingleOrDefault()?.Replicas ?? 1;

    public static EndpointAnnotation Endpoint(IResource resource, string name) =>
        Assert.Single(resource.Annotations.OfType<EndpointAnnotation>(), endpoint => endpoint.Name == name);

    /// <summary>The environment as the manifest states it: references to other resources appear as placeholders.</summary>
    public static async Task<Dictionary<string, string>> EnvironmentAsync(ProjectResource project)
    {
        var configuration = await ExecutionConfigurationBuilder.Create(project).WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), NullLogger.Instance, CancellationToken.None);
        Assert.Null(configuration.Exception);
        return configuration.EnvironmentVariables.ToDictionary(StringComparer.Ordinal);
    }
}
