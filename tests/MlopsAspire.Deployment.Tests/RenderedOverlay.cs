using System.Diagnostics;
using k8s;
using k8s.Models;

namespace MlopsAspire.Deployment.Tests;

/// <summary>
/// An overlay of deploy/kubernetes as <c>kubectl kustomize</c> renders it, each document read strictly into the
/// Kubernetes client's typed model of its kind: an unknown field (a misspelling) or kind fails the read.
/// The kubectl is the one the environment variable KUBECTL names, else <c>kubectl</c> on the PATH: the manifests
/// render with kustomize v2.0.3 (kubectl 1.20, Debian's kubernetes-client) as with today's.
/// </summary>
public sealed class RenderedOverlay
{
    private RenderedOverlay(string name, IReadOnlyList<IKubernetesObject> objects)
    {
        Name = name;
        Objects = objects;
    }

    public string Name { get; }

    public IReadOnlyList<IKubernetesObject> Objects { get; }

    public IEnumerable<T> OfType<T>() => Objects.OfType<T>();

    /// <summary>The workloads' pod templates, by workload name.</summary>
    public IEnumerable<(string Workload, V1PodTemplateSpec Template)> PodTemplates =>
        OfType<V1Deployment>().Select(deployment => (deployment.Metadata.Name, deployment.Spec.Template))
            .Concat(OfType<V1StatefulSet>().Select(set => (set.Metadata.Name, set.Spec.Template)));

    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "MlopsAspire.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"no MlopsAspire.sln above {AppContext.BaseDirectory}");
        }
    }

    public static IReadOnlyList<string> OverlayNames =>
        [.. Directory.GetDirectories(Path.Combine(RepositoryRoot, "deploy", "kubernetes", "overlays")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    public static async Task<RenderedOverlay> RenderAsync(string overlay)
    {
        var yaml = await KustomizeAsync(Path.Combine(RepositoryRoot, "deploy", "kubernetes", "overlays", overlay));
        return new RenderedOverlay(overlay, Read(yaml));
    }

    /// <summary>Every document of <paramref name="yaml"/> as its typed model; throws on an unknown kind or field.</summary>
    public static IReadOnlyList<IKubernetesObject> Read(string yaml)
    {
        var objects = KubernetesYaml.LoadAllFromString(yaml, strict: true);
        return [.. objects.Select(document => document as IKubernetesObject
            ?? throw new InvalidDataException($"a document is not a Kubernetes object the client knows: {document?.GetType().Name ?? "null"}"))];
    }

    /// <summary>The kubectl that renders the overlays: KUBECTL if set, else <c>kubectl</c> on the PATH.</summary>
    public static string Kubectl => Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } kubectl ? kubectl : "kubectl";

    private static async Task<string> KustomizeAsync(string directory)
    {
        var start = new ProcessStartInfo(Kubectl, ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException(
                $"{Kubectl} did not start: the manifests are rendered with `kubectl kustomize` (any kubectl from 1.20 on, e.g. Debian's kubernetes-client, which .ci/run installs; KUBECTL names another)", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(process.ExitCode == 0, $"{Kubectl} kustomize {directory} failed: {await error}");
            return await output;
        }
    }
}
