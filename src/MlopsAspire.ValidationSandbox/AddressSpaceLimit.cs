using System.Globalization;
using System.Runtime.InteropServices;

namespace MlopsAspire.ValidationSandbox;

/// <summary>
/// Caps how much address space this process may add from now on (Linux <c>setrlimit(RLIMIT_AS)</c>): a native
/// allocation past the cap fails at once inside ONNX Runtime, so a model cannot make the machine page or wake the
/// OOM killer, which a watchdog sampling resident memory could only notice afterwards. The cap counts from what the
/// process has mapped when it is applied, because the runtime reserves far more address space at start-up (the GC
/// heap's range) than it ever uses; the managed heap inside that range is capped by <c>DOTNET_GCHeapHardLimit</c>,
/// which the control plane sets when it starts the sandbox.
/// </summary>
public static partial class AddressSpaceLimit
{
    private const int RlimitAs = 9; // Linux, every architecture .NET runs on

    /// <summary>Applies the cap on Linux; false elsewhere (where only the GC limit and the time limit hold).</summary>
    public static bool Apply(long additionalBytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var limit = (ulong)(MappedBytes() + additionalBytes);
        var value = new ResourceLimit { Current = limit, Maximum = limit };
        if (SetResourceLimit(RlimitAs, ref value) != 0)
        {
            throw new InvalidOperationException($"setrlimit(RLIMIT_AS) failed with errno {Marshal.GetLastPInvokeError()}");
        }

        return true;
    }

    /// <summary>The process's mapped address space now (VmSize).</summary>
    private static long MappedBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmSize:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmSize:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("/proc/self/status has no VmSize line");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetResourceLimit(int resource, ref ResourceLimit limit);
}
