using MlopsAspire.LoadTest.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C ends the run early and still writes the reports; a second one kills the process.
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};

return await LoadTestCommand.RunAsync(args, Console.Out, Console.Error, TimeProvider.System, cancellation.Token);
