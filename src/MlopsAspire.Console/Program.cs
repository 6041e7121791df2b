using MlopsAspire.Console;

var app = ConsoleServer.Build(ConsoleServer.CreateBuilder(args));
app.Run();
