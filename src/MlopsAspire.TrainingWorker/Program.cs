using MlopsAspire.TrainingWorker;

var app = TrainingWorkerHost.Build(TrainingWorkerHost.CreateBuilder(args));
app.Run();
