using MlopsAspire.Inference;

var app = InferenceServer.Build(InferenceServer.CreateBuilder(args));
app.Run();
