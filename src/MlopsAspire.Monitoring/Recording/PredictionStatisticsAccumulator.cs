using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using MlopsAspire.Monitoring.Histograms;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Monitoring.Recording;

/// <summary>
/// Accumulates the prediction statistics of one served model version on one replica, lock-free on the request
/// path, and hands them out one interval at a time with <see cref="Drain"/>.
/// </summary>
/// <remarks>
/// <para>
/// Writers only add to long counters with <see cref="Interlocked"/> in the current interval's
/// <see cref="IntervalCounters"/>, in the stripe of the processor they run on. Before writing, a writer
/// increments its stripe's active-writer count and then checks that the counters it holds are still current;
/// if a drain swapped them meanwhile it backs off and retries on the new ones. A drain swaps in fresh counters
/// with an interlocked exchange and then spins until every stripe's active-writer count of the old ones is zero.
/// Both sides use full fences between their write and their read, so either the writer sees the swap and
/// retries, or the drain sees the writer and waits for it: each record lands in exactly one interval.
/// </para>
/// <para>
/// Without a reference profile the feature and prediction histograms are absent; counts, latency, batch
/// sizes and non-finite inputs are still kept. Out-of-range inputs are finite values outside the profile's
/// [minimum, maximum] of that feature. Scores feed the profile's first prediction histogram.
/// </para>
/// </remarks>
public sealed class PredictionStatisticsAccumulator
{
    /// <summary>Error statuses tracked by name per version; any further ones are counted under <see cref="OtherStatus"/>.</summary>
    public const int DefaultStatusCapacity = 32;

    /// <summary>Shadow versions compared per version at one time.</summary>
    public const int DefaultShadowCapacity = 8;

    /// <summary>The status name that counts failures beyond the tracked statuses.</summary>
    public const string OtherStatus = "OTHER";

    // Requests binning at most this many values list their slots; bigger ones count into a dense local array.
    private const int SparseSlotLimit = 64;
    private const int DenseCountsOnStack = 1024;
    private const double TicksPerMicrosecond = TimeSpan.TicksPerMicrosecond;

    private readonly ReferenceProfile? _profile;
    private readonly ReferenceBins? _featureBins;
    private readonly ReferenceBins? _predictionBins;
    private readonly CounterLayout _layout;
    private readonly BoundedNameIndex _statuses;
    private readonly BoundedNameIndex _shadows;
    private readonly int _stripeMask;
    private readonly Lock _drainLock = new();
    private IntervalCounters _current;
    private IntervalCounters? _spare;
    private DateTimeOffset _intervalStart;
    private long _sequence;
    private long _untrackedShadowRecords;

    /// <param name="profile">The version's reference profile; null when it has none.</param>
    /// <param name="intervalStart">When the first interval starts.</param>
    /// <param name="stripes">Counter stripes (a power of two); 0 picks one per processor, at most 8.</param>
    public PredictionStatisticsAccumulator(
        ReferenceProfile? profile,
        DateTimeOffset intervalStart,
        int stripes = 0,
        int statusCapacity = DefaultStatusCapacity,
        int shadowCapacity = DefaultShadowCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stripes);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(shadowCapacity);
        if (stripes == 0)
        {
            stripes = (int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount), 8);
        }
        else if (!BitOperations.IsPow2(stripes))
        {
            throw new ArgumentException($"stripes must be a power of two, got {stripes}", nameof(stripes));
        }

        _profile = profile;
        if (profile is not null)
        {
            _featureBins = profile.Features.Count > 0 ? new ReferenceBins(profile.Features) : null;
            // One score per row: it feeds the first prediction profile.
            _predictionBins = profile.Predictions.Count > 0 ? new ReferenceBins([profile.Predictions[0]]) : null;
        }

        _statuses = new BoundedNameIndex(statusCapacity);
        _shadows = new BoundedNameIndex(shadowCapacity);
        // One status slot more than tracked names: the overflow slot reported as OTHER.
        _layout = new CounterLayout(_featureBins, _predictionBins, statusCapacity + 1, shadowCapacity);
        _stripeMask = stripes - 1;
        _current = new IntervalCounters(_layout, stripes);
        _intervalStart = intervalStart;
    }

    public ReferenceProfile? Profile => _profile;

    /// <summary>Counter stripes: concurrent writers on different processors rarely share one.</summary>
    public int Stripes => _stripeMask + 1;

    /// <summary>Shadow comparisons ignored because more shadow versions were seen than tracked.</summary>
    public long UntrackedShadowRecords => Interlocked.Read(ref _untrackedShadowRecords);

    /// <summary>
    /// Records a successful request: its input rows (row-major, <paramref name="featureCount"/> values per row,
    /// the model's first FP32 input; empty when it has none), one score per row (empty when the model has no
    /// score output) and its latencies.
    /// </summary>
    [SkipLocalsInit] // the local counts are cleared only when they are used densely
    public void RecordSuccess(
        ReadOnlySpan<float> inputRows,
        int featureCount,
        ReadOnlySpan<float> scores,
        int rows,
        TimeSpan queue,
        TimeSpan compute,
        TimeSpan total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(featureCount);
        if (!inputRows.IsEmpty && inputRows.Length != (long)rows * featureCount)
        {
            throw new ArgumentException($"{rows} rows of {featureCount} features need {(long)rows * featureCount} values, got {inputRows.Length}", nameof(inputRows));
        }

        if (!scores.IsEmpty && scores.Length != rows)
        {
            throw new ArgumentException($"expected one score per row ({rows}), got {scores.Length}", nameof(scores));
        }

        var featureBins = inputRows.IsEmpty ? null : _featureBins;
        if (featureBins is not null && featureCount != featureBins.Count)
        {
            throw new ArgumentException($"the reference profile has {featureBins.Count} features, the rows have {featureCount}", nameof(featureCount));
        }

        var predictionBins = scores.IsEmpty ? null : _predictionBins;

        // Everything is counted locally first, so the interval's counters are held only for the adds.
        var valuesToBin = (featureBins is null ? 0 : inputRows.Length) + (predictionBins is null ? 0 : scores.Length);
        var dense = valuesToBin > SparseSlotLimit;
        int[]? rented = null;
        var binnedLength = _layout.BinnedLength;
        Span<int> local = !dense
            ? stackalloc int[SparseSlotLimit]
            : binnedLength <= DenseCountsOnStack
                ? stackalloc int[binnedLength]
                : (rented = ArrayPool<int>.Shared.Rent(binnedLength)).AsSpan(0, binnedLength);
        if (dense)
        {
            local.Clear();
        }

        var tally = new LocalTally(local, dense);
        long nonFinite = 0;
        long outOfRange = 0;
        if (featureBins is not null)
        {
            CountFeatures(featureBins, inputRows, featureCount, ref tally, ref nonFinite, ref outOfRange);
        }
        else if (!inputRows.IsEmpty && !TensorPrimitives.IsFiniteAll(inputRows))
        {
            nonFinite = CountNonFinite(inputRows);
        }

        if (predictionBins is not null)
        {
            CountScores(predictionBins, scores, ref tally);
        }

        var queueBucket = LatencyBucketTable.BucketOf(queue.Ticks);
        var computeBucket = LatencyBucketTable.BucketOf(compute.Ticks);
        var totalBucket = LatencyBucketTable.BucketOf(total.Ticks);

        var counters = EnterWriter(out var stripe);
        var cells = counters.Stripe(stripe);
        try
        {
            Interlocked.Increment(ref cells[CounterLayout.RequestCount]);
            if (rows != 0)
            {
                Interlocked.Add(ref cells[CounterLayout.RowCount], rows);
            }

            if (nonFinite != 0)
            {
                Interlocked.Add(ref cells[CounterLayout.NonFiniteInputs], nonFinite);
            }

            if (outOfRange != 0)
            {
                Interlocked.Add(ref cells[CounterLayout.OutOfRangeInputs], outOfRange);
            }

            RecordLatency(cells, _layout.QueueLatency + queueBucket, CounterLayout.QueueSumTicks, _layout.QueueMaxTicks, queue.Ticks);
            RecordLatency(cells, _layout.ComputeLatency + computeBucket, CounterLayout.ComputeSumTicks, _layout.ComputeMaxTicks, compute.Ticks);
            RecordLatency(cells, _layout.TotalLatency + totalBucket, CounterLayout.TotalSumTicks, _layout.TotalMaxTicks, total.Ticks);
            tally.AddTo(cells.Slice(_layout.BinnedStart, _layout.BinnedLength));
        }
        finally
        {
            ExitWriter(cells);
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Records a failed request by its status name (e.g. INVALID_ARGUMENT); its latency counts in the total latency.</summary>
    public void RecordFailure(string status, TimeSpan total)
    {
        ArgumentException.ThrowIfNullOrEmpty(status);
        var slot = _statuses.SlotOf(status);
        if (slot < 0)
        {
            slot = _layout.StatusSlots - 1;
        }

        var totalBucket = LatencyBucketTable.BucketOf(total.Ticks);
        var counters = EnterWriter(out var stripe);
        var cells = counters.Stripe(stripe);
        try
        {
            Interlocked.Increment(ref cells[CounterLayout.RequestCount]);
            Interlocked.Increment(ref cells[_layout.Errors + slot]);
            RecordLatency(cells, _layout.TotalLatency + totalBucket, CounterLayout.TotalSumTicks, _layout.TotalMaxTicks, total.Ticks);
        }
        finally
        {
            ExitWriter(cells);
        }
    }

    /// <summary>
    /// Counts <paramref name="batchSize"/> rows in the batch-size histogram. Replicas call it once per request with the
    /// rows of the batch that request ran in, so the histogram reads as the batch size seen by requests.
    /// </summary>
    public void RecordBatch(int batchSize)
    {
        var bucket = PredictionStatistics.BatchSizeBucketOf(batchSize);
        var counters = EnterWriter(out var stripe);
        var cells = counters.Stripe(stripe);
        try
        {
            Interlocked.Increment(ref cells[CounterLayout.BatchSizes + bucket]);
        }
        finally
        {
            ExitWriter(cells);
        }
    }

    /// <summary>Adds one batch's comparison of a shadow version with production (see <see cref="ShadowOutputComparer"/>).</summary>
    public void RecordShadow(string shadowVersion, ShadowBatchComparison comparison)
    {
        ArgumentException.ThrowIfNullOrEmpty(shadowVersion);
        ArgumentOutOfRangeException.ThrowIfNegative(comparison.Compared);
        ArgumentOutOfRangeException.ThrowIfNegative(comparison.LabelAgreements);
        if (!(comparison.MaxAbsoluteDifference >= 0 && comparison.SumAbsoluteDifference >= 0 && comparison.SumRelativeDifference >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(comparison), comparison, "differences must be non-negative numbers");
        }

        var slot = _shadows.SlotOf(shadowVersion);
        if (slot < 0)
        {
            Interlocked.Increment(ref _untrackedShadowRecords);
            return;
        }

        var counts = _layout.Shadows + (slot * CounterLayout.ShadowCountFields);
        var doubles = _layout.ShadowDoubles + (slot * CounterLayout.ShadowDoubleFields);
        var counters = EnterWriter(out var stripe);
        var cells = counters.Stripe(stripe);
        try
        {
            Interlocked.Add(ref cells[counts + CounterLayout.ShadowCompared], comparison.Compared);
            Interlocked.Add(ref cells[counts + CounterLayout.ShadowAgreements], comparison.LabelAgreements);
            AddDouble(ref cells[doubles + CounterLayout.ShadowSumAbsoluteBits], comparison.SumAbsoluteDifference);
            AddDouble(ref cells[doubles + CounterLayout.ShadowSumRelativeBits], comparison.SumRelativeDifference);
            // Non-negative doubles order like their bit patterns, so a long maximum is a double maximum.
            RecordMax(ref cells[doubles + CounterLayout.ShadowMaxAbsoluteBits], BitConverter.DoubleToInt64Bits(comparison.MaxAbsoluteDifference));
        }
        finally
        {
            ExitWriter(cells);
        }
    }

    /// <summary>Counts a shadow request that was dropped (queue full or timed out) before it was scored.</summary>
    public void RecordShadowDropped(string shadowVersion, long count = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(shadowVersion);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var slot = _shadows.SlotOf(shadowVersion);
        if (slot < 0)
        {
            Interlocked.Increment(ref _untrackedShadowRecords);
            return;
        }

        var counters = EnterWriter(out var stripe);
        var cells = counters.Stripe(stripe);
        try
        {
            Interlocked.Add(ref cells[_layout.Shadows + (slot * CounterLayout.ShadowCountFields) + CounterLayout.ShadowDropped], count);
        }
        finally
        {
            ExitWriter(cells);
        }
    }

    /// <summary>
    /// Ends the current interval at <paramref name="now"/> and returns its statistics; the next interval starts at
    /// <paramref name="now"/>. Sequence numbers start at 1 and grow by one per drain of this accumulator. Drains
    /// are serialised with each other; writers never wait for them.
    /// </summary>
    public StatisticsSnapshot Drain(string replicaId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(replicaId);
        lock (_drainLock)
        {
            var fresh = _spare ?? new IntervalCounters(_layout, Stripes);
            _spare = null;
            var finished = Interlocked.Exchange(ref _current, fresh);
            finished.WaitForWriters();

            var statistics = Summarise(finished);
            // Recycled only once cleared. A writer still holding a stale reference to them either sees they are
            // not current and backs off, or (after a later drain made them current again) records into the
            // interval that is current, which is where its record belongs.
            finished.Clear();
            _spare = finished;

            var start = _intervalStart;
            _intervalStart = now;
            return new StatisticsSnapshot(replicaId, ++_sequence, start, now, statistics);
        }
    }

    /// <summary>Takes hold of the current interval's counters in this processor's stripe; release with <see cref="ExitWriter"/>.</summary>
    internal IntervalCounters EnterWriter(out int stripe)
    {
        stripe = Thread.GetCurrentProcessorId() & _stripeMask;
        var active = (stripe * _layout.StripeLength) + CounterLayout.ActiveWriters;
        while (true)
        {
            var counters = Volatile.Read(ref _current);
            Interlocked.Increment(ref counters.Cells[active]);
            if (ReferenceEquals(Volatile.Read(ref _current), counters))
            {
                return counters;
            }

            // A drain swapped the counters between the read and the increment: it may not have seen this writer.
            Interlocked.Decrement(ref counters.Cells[active]);
        }
    }

    internal static void ExitWriter(Span<long> cells) => Interlocked.Decrement(ref cells[CounterLayout.ActiveWriters]);

    private void CountFeatures(ReferenceBins bins, ReadOnlySpan<float> inputRows, int featureCount, ref LocalTally tally, ref long nonFinite, ref long outOfRange)
    {
        var featureSlots = _layout.FeatureBins;
        var binnedStart = _layout.BinnedStart;
        if (bins.AllFiniteAndInRange(inputRows))
        {
            for (var row = 0; row < inputRows.Length; row += featureCount)
            {
                var values = inputRows.Slice(row, featureCount);
                for (var feature = 0; feature < values.Length; feature++)
                {
                    tally.Add(featureSlots[feature] - binnedStart + bins.BinOf(feature, values[feature]));
                }
            }

            return;
        }

        for (var row = 0; row < inputRows.Length; row += featureCount)
        {
            var values = inputRows.Slice(row, featureCount);
            for (var feature = 0; feature < values.Length; feature++)
            {
                var value = values[feature];
                if (!float.IsFinite(value))
                {
                    nonFinite++;
                    tally.Add(featureSlots[feature] - binnedStart + bins.EdgeCount(feature) + 1);
                    continue;
                }

                if (bins.IsOutOfRange(feature, value))
                {
                    outOfRange++;
                }

                tally.Add(featureSlots[feature] - binnedStart + bins.BinOf(feature, value));
            }
        }
    }

    private void CountScores(ReferenceBins bins, ReadOnlySpan<float> scores, ref LocalTally tally)
    {
        var first = _layout.PredictionBins[0] - _layout.BinnedStart;
        var nonFiniteSlot = first + bins.EdgeCount(0) + 1;
        var allFinite = TensorPrimitives.IsFiniteAll(scores);
        foreach (var score in scores)
        {
            tally.Add(allFinite || float.IsFinite(score) ? first + bins.BinOf(0, score) : nonFiniteSlot);
        }
    }

    private static long CountNonFinite(ReadOnlySpan<float> values)
    {
        long count = 0;
        foreach (var value in values)
        {
            if (!float.IsFinite(value))
            {
                count++;
            }
        }

        return count;
    }

    private static void RecordLatency(Span<long> cells, int bucket, int sumTicks, int maxTicks, long ticks)
    {
        Interlocked.Increment(ref cells[bucket]);
        Interlocked.Add(ref cells[sumTicks], ticks);
        RecordMax(ref cells[maxTicks], ticks);
    }

    private static void RecordMax(ref long cell, long value)
    {
        var current = Volatile.Read(ref cell);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref cell, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static void AddDouble(ref long cell, double value)
    {
        if (value == 0)
        {
            return;
        }

        var current = Volatile.Read(ref cell);
        while (true)
        {
            var updated = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(current) + value);
            var seen = Interlocked.CompareExchange(ref cell, updated, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Adds up the stripes of finished counters (no writer holds them any more) into interval statistics.</summary>
    private PredictionStatistics Summarise(IntervalCounters finished)
    {
        var layout = _layout;
        var totals = new long[layout.StripeLength];
        var summed = totals.AsSpan(CounterLayout.CountersStart, layout.CountersEnd - CounterLayout.CountersStart);
        var shadowSlots = layout.ShadowSlots;
        var shadowDoubles = new double[shadowSlots * CounterLayout.ShadowDoubleFields];
        for (var stripe = 0; stripe < finished.Stripes; stripe++)
        {
            var cells = finished.Stripe(stripe);
            TensorPrimitives.Add(summed, cells.Slice(CounterLayout.CountersStart, summed.Length), summed);
            foreach (var max in (ReadOnlySpan<int>)[layout.QueueMaxTicks, layout.ComputeMaxTicks, layout.TotalMaxTicks])
            {
                totals[max] = Math.Max(totals[max], cells[max]);
            }

            for (var slot = 0; slot < shadowSlots; slot++)
            {
                var at = slot * CounterLayout.ShadowDoubleFields;
                var cell = layout.ShadowDoubles + at;
                shadowDoubles[at + CounterLayout.ShadowSumAbsoluteBits] += BitConverter.Int64BitsToDouble(cells[cell + CounterLayout.ShadowSumAbsoluteBits]);
                shadowDoubles[at + CounterLayout.ShadowSumRelativeBits] += BitConverter.Int64BitsToDouble(cells[cell + CounterLayout.ShadowSumRelativeBits]);
                shadowDoubles[at + CounterLayout.ShadowMaxAbsoluteBits] = Math.Max(
                    shadowDoubles[at + CounterLayout.ShadowMaxAbsoluteBits],
                    BitConverter.Int64BitsToDouble(cells[cell + CounterLayout.ShadowMaxAbsoluteBits]));
            }
        }

        var statistics = new PredictionStatistics(_profile)
        {
            RequestCount = totals[CounterLayout.RequestCount],
            RowCount = totals[CounterLayout.RowCount],
            NonFiniteInputs = totals[CounterLayout.NonFiniteInputs],
            OutOfRangeInputs = totals[CounterLayout.OutOfRangeInputs],
        };
        statistics.QueueLatency.Merge(Latency(totals, layout.QueueLatency, CounterLayout.QueueSumTicks, layout.QueueMaxTicks));
        statistics.ComputeLatency.Merge(Latency(totals, layout.ComputeLatency, CounterLayout.ComputeSumTicks, layout.ComputeMaxTicks));
        statistics.TotalLatency.Merge(Latency(totals, layout.TotalLatency, CounterLayout.TotalSumTicks, layout.TotalMaxTicks));
        totals.AsSpan(CounterLayout.BatchSizes, PredictionStatistics.BatchSizeBuckets).CopyTo(statistics.BatchSizes);

        var statuses = _statuses.Names;
        for (var slot = 0; slot < layout.StatusSlots; slot++)
        {
            var count = totals[layout.Errors + slot];
            if (count != 0)
            {
                var status = slot == layout.StatusSlots - 1 ? OtherStatus : statuses[slot];
                statistics.ErrorsByStatus[status] = statistics.ErrorsByStatus.GetValueOrDefault(status) + count;
            }
        }

        for (var feature = 0; feature < layout.FeatureBins.Length; feature++)
        {
            statistics.Features[feature].Merge(Histogram(totals, layout.FeatureBins[feature], statistics.Features[feature].Edges));
        }

        if (layout.PredictionBins.Length > 0)
        {
            statistics.Predictions[0].Merge(Histogram(totals, layout.PredictionBins[0], statistics.Predictions[0].Edges));
        }

        var shadows = _shadows.Names;
        for (var slot = 0; slot < shadows.Length; slot++)
        {
            var counts = layout.Shadows + (slot * CounterLayout.ShadowCountFields);
            var doubles = slot * CounterLayout.ShadowDoubleFields;
            var comparison = new ShadowComparison
            {
                Compared = totals[counts + CounterLayout.ShadowCompared],
                LabelAgreements = totals[counts + CounterLayout.ShadowAgreements],
                Dropped = totals[counts + CounterLayout.ShadowDropped],
                SumAbsoluteDifference = shadowDoubles[doubles + CounterLayout.ShadowSumAbsoluteBits],
                MaxAbsoluteDifference = shadowDoubles[doubles + CounterLayout.ShadowMaxAbsoluteBits],
                SumRelativeDifference = shadowDoubles[doubles + CounterLayout.ShadowSumRelativeBits],
            };
            if (comparison.Compared != 0 || comparison.Dropped != 0)
            {
                statistics.Shadows[shadows[slot]] = comparison;
            }
        }

        return statistics;
    }

    private static LatencyHistogram Latency(long[] totals, int buckets, int sumTicks, int maxTicks) =>
        LatencyHistogram.FromCounts(
            totals.AsSpan(buckets, LatencyHistogram.BucketCount).ToArray(),
            totals[sumTicks] / TicksPerMicrosecond,
            totals[maxTicks] / TicksPerMicrosecond);

    private static BinnedHistogram Histogram(long[] totals, int firstBin, double[] edges) =>
        BinnedHistogram.FromCounts(edges, totals.AsSpan(firstBin, edges.Length + 1).ToArray(), totals[firstBin + edges.Length + 1]);

    /// <summary>
    /// A request's bin counts before they are published: small requests list the slots they hit (one increment
    /// each), large ones count per slot so each slot takes at most one add.
    /// </summary>
    private ref struct LocalTally(Span<int> storage, bool dense)
    {
        private readonly Span<int> _storage = storage;
        private int _listed;

        public void Add(int slot)
        {
            if (dense)
            {
                _storage[slot]++;
            }
            else
            {
                _storage[_listed++] = slot;
            }
        }

        public readonly void AddTo(Span<long> cells)
        {
            if (!dense)
            {
                foreach (var slot in _storage[.._listed])
                {
                    Interlocked.Increment(ref cells[slot]);
                }

                return;
            }

            for (var slot = 0; slot < _storage.Length; slot++)
            {
                if (_storage[slot] != 0)
                {
                    Interlocked.Add(ref cells[slot], _storage[slot]);
                }
            }
        }
    }
}
