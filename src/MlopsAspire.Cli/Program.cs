using MlopsAspire.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await MlopsCommandLine.RunAsync(args, CliConsole.ForProcess(), cancel.Token);
