using System.Collections.Concurrent;
using MlopsAspire.Serving.Configuration;
using MlopsAspire.Training;

namespace MlopsAspire.LoadTest.Targets;

/// <summary>
/// The demo models as ONNX bytes (fraud trained once per process, ResNet-18 from the bundled package) and a
/// temporary Triton-layout folder (<c>&lt;root&gt;/&lt;model&gt;/1/model.onnx</c>) for in-process replicas.
/// </summary>
public static class DemoModelFiles
{
    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Models = new(StringComparer.Ordinal);

    public static IReadOnlyList<string> Names { get; } = [DemoModels.FraudModelName, DemoModels.ResNet18ModelName];

    public static byte[] Load(string modelName) => Models.GetOrAdd(modelName, name => new Lazy<byte[]>(() => name switch
    {
        DemoModels.FraudModelName => DemoModels.TrainFraud(seed: 42).OnnxModel,
        DemoModels.ResNet18ModelName => DemoModels.LoadResNet18WithDynamicBatch(),
        _ => throw new ArgumentException($"no demo model named '{name}'; demo models: {string.Join(", ", Names)}", nameof(modelName)),
    })).Value;

    /// <summary>
    /// Writes the named models as version 1 under a new temporary folder and returns its path. With
    /// <paramref name="instances"/>, each model gets a <c>config.json</c> that runs that many instances at once.
    /// </summary>
    public static string WriteRepository(IEnumerable<string> modelNames, int? instances = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "mlopsaspire-loadtest", Guid.NewGuid().ToString("N"));
        WriteRepository(root, modelNames);
        if (instances is { } count)
        {
            foreach (var name in modelNames.Distinct(StringComparer.Ordinal))
            {
                File.WriteAllText(
                    Path.Combine(root, name, ModelConfigurationParser.FileName),
                    $$"""{ "instance_group": { "count": {{count}} } }""");
            }
        }

        return root;
    }

    /// <summary>Writes the named models as version 1 under <paramref name="root"/> (created if missing).</summary>
    public static void WriteRepository(string root, IEnumerable<string> modelNames)
    {
        foreach (var name in modelNames.Distinct(StringComparer.Ordinal))
        {
            var folder = Path.Combine(root, name, "1");
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, "model.onnx"), Load(name));
        }
    }

    public static void DeleteRepository(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
