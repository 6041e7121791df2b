using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MlopsAspire.ValidationSandbox;

// Usage: MlopsAspire.ValidationSandbox --model PATH --name NAME --memory-limit BYTES < serving-config.json
// Prints one SandboxVerdict as JSON on standard output; exit code 0 whenever a verdict was printed.
string? modelPath = null, modelName = null;
long memoryLimit = 0;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--model":
            modelPath = args[i + 1];
            break;
        case "--name":
            modelName = args[i + 1];
            break;
        case "--memory-limit":
            memoryLimit = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        default:
            await Console.Error.WriteLineAsync($"unknown argument '{args[i]}'");
            return 2;
    }
}

if (modelPath is null || modelName is null || memoryLimit <= 0)
{
    await Console.Error.WriteLineAsync("usage: MlopsAspire.ValidationSandbox --model PATH --name NAME --memory-limit BYTES < serving-config.json");
    return 2;
}

// ONNX Runtime's own library and environment are mapped before the cap, so the cap is what the model may use.
_ = OrtEnv.Instance();
AddressSpaceLimit.Apply(memoryLimit);

var servingConfigJson = await Console.In.ReadToEndAsync();
var verdict = SandboxedModelCheck.Run(modelPath, modelName, servingConfigJson, memoryLimit);
await Console.Out.WriteAsync(JsonSerializer.Serialize(verdict, SandboxJson.Default.SandboxVerdict));
return 0;
