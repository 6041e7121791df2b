#:project ../../src/MlopsAspire.Training/MlopsAspire.Training.csproj
#:property PublishAot=false
// Writes the demo models the CUDA check compares: fraud.onnx (trained with seed 42) and resnet18.onnx
// (batch dimension made symbolic). Usage: dotnet run perf/gpu/export-models.cs -- DIR
using MlopsAspire.Training;

var directory = args.Length == 1 ? args[0] : throw new ArgumentException("usage: export-models.cs DIR");
Directory.CreateDirectory(directory);
File.WriteAllBytes(Path.Combine(directory, "fraud.onnx"), DemoModels.TrainFraud(42).OnnxModel);
File.WriteAllBytes(Path.Combine(directory, "resnet18.onnx"), DemoModels.LoadResNet18WithDynamicBatch());
Console.WriteLine($"wrote fraud.onnx and resnet18.onnx to {directory}");
