using System.Runtime.InteropServices;

namespace MlopsAspire.Serving.Threading;

/// <summary>
/// Lowers the calling thread below the threads that serve requests, so background work (shadow scoring) only
/// uses cores that production leaves idle. .NET's <see cref="Thread.Priority"/> is not applied on Linux, so there
/// the thread asks the kernel directly; lowering needs no privilege.
/// </summary>
public static partial class BackgroundThreadPriority
{
    private const int SchedIdle = 5;
    private const int PrioProcess = 0;

    /// <summary>Lowers the calling thread as far as the system allows and says how far that was.</summary>
    public static LoweredPriority LowerCurrentThread()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // pid 0 is the calling thread: Linux schedules threads, and both calls act on the caller only.
                var parameters = new SchedParam();
                if (SchedSetScheduler(0, SchedIdle, ref parameters) == 0)
                {
                    return LoweredPriority.IdleScheduling;
                }

                if (SetPriority(PrioProcess, 0, 19) == 0)
                {
                    return LoweredPriority.Nice19;
                }
            }
            catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc: fall through to what .NET offers.
            }

            return LoweredPriority.None;
        }

        try
        {
            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
            return LoweredPriority.Lowest;
        }
        catch (Exception exception) when (exception is ThreadStateException or PlatformNotSupportedException)
        {
            return LoweredPriority.None;
        }
    }

    /// <summary>Whether the calling thread runs under Linux <c>SCHED_IDLE</c> (false elsewhere).</summary>
    public static bool IsCurrentThreadIdleScheduled()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return SchedGetScheduler(0) == SchedIdle;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    [LibraryImport("libc.so.6", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, ref SchedParam parameters);

    [LibraryImport("libc.so.6", EntryPoint = "sched_getscheduler")]
    private static partial int SchedGetScheduler(int pid);

    [LibraryImport("libc.so.6", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);
}
