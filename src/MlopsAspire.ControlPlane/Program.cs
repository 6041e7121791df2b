using MlopsAspire.ControlPlane;

var app = ControlPlaneServer.Build(ControlPlaneServer.CreateBuilder(args));
app.Run();
