// The timing tests measure scheduling delays; the smoke runs would steal their cores on a small machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
