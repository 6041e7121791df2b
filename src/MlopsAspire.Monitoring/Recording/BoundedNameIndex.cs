namespace MlopsAspire.Monitoring.Recording;

/// <summary>
/// Gives each distinct name (an error status, a shadow version) a stable slot number, up to a fixed capacity,
/// without locks: the name list is an immutable array replaced by compare-and-swap when a name is first seen.
/// Slot numbers never change, so counters laid out by slot stay valid across intervals.
/// </summary>
internal sealed class BoundedNameIndex(int capacity)
{
    private string[] _names = [];

    public int Capacity { get; } = capacity;

    /// <summary>Names in slot order.</summary>
    public string[] Names => Volatile.Read(ref _names);

    /// <summary>The name's slot, adding it when new; -1 when the index is full.</summary>
    public int SlotOf(string name)
    {
        var names = Volatile.Read(ref _names);
        while (true)
        {
            for (var i = 0; i < names.Length; i++)
            {
                if (ReferenceEquals(names[i], name) || string.Equals(names[i], name, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            if (names.Length >= Capacity)
            {
                return -1;
            }

            string[] grown = [.. names, name];
            var seen = Interlocked.CompareExchange(ref _names, grown, names);
            if (ReferenceEquals(seen, names))
            {
                return names.Length;
            }

            // Another writer added a name first: look again, it may be this one.
            names = seen;
        }
    }
}
