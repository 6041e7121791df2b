using Grpc.Core;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MlopsAspire.Console.Platform;

namespace MlopsAspire.Console.Components;

/// <summary>
/// A page that reads the platform when it opens and again every <see cref="ConsoleOptions.RefreshInterval"/> until it
/// closes. A failed read keeps what was shown and says why (<see cref="Problem"/>); the next tick tries again.
/// </summary>
public abstract class RefreshingPage : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _closed = new();
    private PeriodicTimer? _timer;

    [Inject]
    protected ConsoleSession Session { get; set; } = default!;

    [Inject]
    protected IOptions<ConsoleOptions> Options { get; set; } = default!;

    [Inject]
    protected TimeProvider Clock { get; set; } = default!;

    /// <summary>Why the last read failed, for the person looking; null when it succeeded.</summary>
    protected string? Problem { get; set; }

    /// <summary>Whether the first read has finished (successfully or not).</summary>
    protected bool Loaded { get; private set; }

    protected abstract Task ReadAsync(CancellationToken cancellationToken);

    protected override async Task OnInitializedAsync()
    {
        await ReadOnceAsync();
        Loaded = true;
        if (_closed.IsCancellationRequested)
        {
            return;
        }

        _timer = new PeriodicTimer(Options.Value.RefreshInterval, Clock);
        _ = RefreshAsync(_timer);
    }

    /// <summary>Reads now (after an action), outside the timer's rhythm.</summary>
    protected async Task ReadOnceAsync()
    {
        try
        {
            await ReadAsync(_closed.Token);
            Problem = null;
        }
        catch (RpcException error) when (!_closed.IsCancellationRequested)
        {
            Problem = ApiErrorText.Describe(error, Options.Value.ControlPlaneAddress);
        }
        catch (Exception) when (_closed.IsCancellationRequested)
        {
            // The page closed while it read (someone navigated away from a slow first read): its calls were cancelled
            // and nothing is shown any more. Letting this escape would end the person's whole circuit.
        }
    }

    public void Dispose()
    {
        _closed.Cancel();
        _timer?.Dispose();
        _closed.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task RefreshAsync(PeriodicTimer timer)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(_closed.Token))
            {
                await InvokeAsync(async () =>
                {
                    await ReadOnceAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed.
        }
        catch (ObjectDisposedException)
        {
            // The page closed while a read was finishing.
        }
    }
}
