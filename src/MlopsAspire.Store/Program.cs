using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using MlopsAspire.Store;

using var loggerFactory = LoggerFactory.Create(logging => logging
    // Garnet's own start-up chatter is dozens of lines; keep its warnings and our one summary line.
    .SetMinimumLevel(LogLevel.Warning)
    .AddFilter("MlopsAspire", LogLevel.Information)
    // Garnet warns that its own logging options are ignored once it is given a logger factory; that is the point.
    .AddFilter("ArgParser", LogLevel.Error)
    .AddSimpleConsole(console => console.SingleLine = true));

var options = EmbeddedGarnetOptions.FromEnvironment();
if (options.Password is null)
{
    // Without a password any process on this machine could read and rewrite every model, decision and payload.
    // The AppHost always passes one (its secret parameter "store-password").
    await Console.Error.WriteLineAsync(
        $"The store will not start without a password: set {EmbeddedGarnetOptions.PasswordVariable}, and give clients the same one (\"host:port,password=...\").");
    return 2;
}

var server = EmbeddedGarnetServer.Start(options, loggerFactory);

// Aspire stops resources with SIGTERM; a terminal sends SIGINT. Both mean: checkpoint, flush, exit.
var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void RequestStop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);

await stop.Task;
// Aspire tells every resource to stop at once and kills what is still running about six seconds later: let the
// control plane and replicas finish their last writes first, and leave time to checkpoint.
await server.WaitForClientsToLeaveAsync(options.ShutdownGrace, TimeProvider.System);
await server.StopAsync();
return 0;
