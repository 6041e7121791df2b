
namespace MlopsAspire.Serving.Threading;

/// <summary>What the operating system granted a thread that asked to run below everything else.</summary>
public enum LoweredPriority
{
    /// <summary>Nothing could be lowered; the thread competes with request threads as an equal.</summary>
    None,

    /// <summary>Linux <c>SCHED_IDLE</c>: the thread only gets a core that no normal thread wants.</summary>
    IdleScheduling,

    /// <summary>Linux nice 19 on the thread: the smallest share a normal thread can have.</summary>
    Nice19,

    /// <summary><see cref="ThreadPriority.Lowest"/> (Windows and other systems that honour it).</summary>
    Lowest,
}
