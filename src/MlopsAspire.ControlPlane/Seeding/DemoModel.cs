using MlopsAspire.Abstractions;

namespace MlopsAspire.ControlPlane.Seeding;

/// <summary>A demo model to register: its artifact, framework, offline metrics, lineage and config document.</summary>
internal sealed record DemoModel(byte[] Onnx, string Framework, Dictionary<string, double> Metrics, ModelLineage? Lineage, string? ConfigJson);
