using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace MlopsAspire.Artifacts.Payloads;

/// <summary>
/// Sampled predictions and their ground truth, in the store. Each logged payload is kept under its request id
/// for <see cref="PayloadLogOptions.JoinWindow"/> so feedback can find it; joined rows go to a capped list per
/// model, newest first, which is what live accuracy and retraining read. Plain strings, hashes and lists only,
/// so it works on Garnet and Redis alike.
/// </summary>
/// <remarks>
/// Waiting payloads are capped per model at about <see cref="PayloadLogOptions.MaxPendingEntries"/>: every
/// writer counts what it logs in a per-model, per-minute counter that all replicas share, and a model logged
/// faster than the cap allows over the join window gets a shorter window (the cap ÷ the rate), so what waits in
/// the store stays near the cap at any traffic. <see cref="PendingWindow"/> reports the window in force.
/// Bytes are capped too: a payload over <see cref="PayloadLogOptions.MaxPayloadBytes"/> is not logged, and the store
/// itself refuses payloads that would take a model's waiting ones over <see cref="PayloadLogOptions.MaxBytesPerModel"/>
/// (<see cref="PayloadLogScripts"/>). A request id is logged once while it waits: a second payload under it never
/// replaces the first, and feedback for it is rejected as ambiguous.
/// </remarks>
public sealed class PayloadLog
{
    private const byte FormatVersion = 1;
    private const byte PendingFormatVersion = 2;
    private const long MillisecondsPerMinute = 60_000;
    private static readonly TimeSpan CounterLifetime = TimeSpan.FromMinutes(3);
    // A ledger outlives the longest-waiting payload it counts, and the minute rounding of their release.
    private static readonly TimeSpan LedgerGrace = TimeSpan.FromMinutes(2);
    private readonly IDatabase _database;
    private readonly PayloadLogOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TimeSpan> _pendingWindows = new(StringComparer.Ordinal);

    public PayloadLog(IConnectionMultiplexer redis, PayloadLogOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _options = options ?? new PayloadLogOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _database = redis.GetDatabase();
    }

    /// <summary>
    /// How long payloads of <paramref name="modelName"/> logged now can still be joined: the join window, or less
    /// while the model is logged faster than <see cref="PayloadLogOptions.MaxPendingEntries"/> per join window.
    /// </summary>
    public TimeSpan PendingWindow(string modelName) =>
        _pendingWindows.TryGetValue(modelName, out var window) ? window : _options.JoinWindow;

    /// <summary>The models this log has written payloads for, with their <see cref="PendingWindow"/>.</summary>
    public IEnumerable<KeyValuePair<string, TimeSpan>> PendingWindows => _pendingWindows;

    /// <summary>
    /// Logs predictions (fire-and-forget on the connection: the caller never waits on the store, but encodes and
    /// sends on its own thread; a request path queues through <see cref="PayloadLogWriter"/> instead). Limits apply
    /// as in <see cref="WriteAsync"/>, uncounted.
    /// </summary>
    public void Append(IReadOnlyList<PayloadRecord> records)
    {
        var admitted = Admit(records, out _, out var length, perModel: null);
        _ = QueueWrites(_database, admitted, new byte[length], CommandFlags.FireAndForget);
    }

    /// <summary>
    /// Logs shadow versions' scores for requests whose production payloads were logged, so the same feedback also
    /// measures each shadow's accuracy on identical traffic. The scores of one shadow for payloads logged in the
    /// same minute share one hash (field: request id), so a batch costs the store one command per shadow and
    /// minute rather than one per request; the join finds the hash from the payload's own time. One pipelined
    /// round trip, complete when the store has acknowledged the last command (for <see cref="PayloadLogWriter"/>,
    /// which collects the scores from the shadow threads).
    /// </summary>
    public async Task WriteShadowScoresAsync(IReadOnlyList<ShadowScoreRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var buckets = new Dictionary<string, (string Model, List<HashEntry> Entries)>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            Validate(record);
            var key = ShadowBucketKey(record.ModelName, record.ShadowVersion, record.PayloadAt);
            if (!buckets.TryGetValue(key, out var bucket))
            {
                buckets[key] = bucket = (record.ModelName, []);
            }

            bucket.Entries.Add(new HashEntry(record.RequestId, EncodeShadowScores(record)));
        }

        var batch = _database.CreateBatch();
        var lastWrite = Task.CompletedTask;
        foreach (var (key, entries) in buckets)
        {
            _ = batch.HashSetAsync(key, [.. entries.Entries], CommandFlags.FireAndForget);
            // Renewed by every write: a bucket outlives by the join window the last score written to it, and every
            // score is written after its request's payload, so it outlives every payload it can be joined with.
            // A bucket spans a minute of payloads, so it lives a minute longer than the payloads' window.
            lastWrite = batch.KeyExpireAsync(key, PendingWindow(entries.Model) + TimeSpan.FromMinutes(1));
        }

        batch.Execute();
        await lastWrite.ConfigureAwait(false);
    }

    private static byte[] EncodeShadowScores(ShadowScoreRecord record)
    {
        var bytes = new byte[1 + sizeof(long) + FloatsLength(record.Scores)];
        var offset = 0;
        bytes[offset++] = FormatVersion;
        WriteInt64(bytes, ref offset, record.At.ToUnixTimeMilliseconds());
        WriteFloats(bytes, ref offset, record.Scores);
        return bytes;
    }

    private static void Validate(ShadowScoreRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.ModelName);
        ArgumentException.ThrowIfNullOrEmpty(record.ShadowVersion);
        ArgumentException.ThrowIfNullOrEmpty(record.RequestId);
        ArgumentNullException.ThrowIfNull(record.Scores);
    }

    /// <summary>Logs one payload, as <see cref="WriteAsync"/> does but without counting it towards the logging rate.</summary>
    public async Task<PayloadWriteOutcome> AppendAsync(PayloadRecord record)
    {
        var admitted = Admit([record], out var tooLarge, out var length, perModel: null);
        var replies = QueueWrites(_database, admitted, new byte[length], CommandFlags.None);
        return await TallyAsync(replies, tooLarge).ConfigureAwait(false);
    }

    /// <summary>
    /// Logs payloads in one pipelined round trip and completes when the store has answered. The same round trip
    /// counts them and reads back the counts that set each model's <see cref="PendingWindow"/>, which the next batch
    /// is written with (a replica's first batch of a model gets the whole join window). The records are encoded into
    /// one pooled buffer, so this is meant for a background writer draining a queue (<see cref="PayloadLogWriter"/>),
    /// not for a request path.
    /// </summary>
    /// <returns>
    /// What became of them: a payload over <see cref="PayloadLogOptions.MaxPayloadBytes"/> is not sent, one that
    /// would take its model over <see cref="PayloadLogOptions.MaxBytesPerModel"/> is refused by the store, and one
    /// whose request id is already waiting leaves the first payload in place (first write wins) and marks the id as
    /// ambiguous, so feedback for it is not joined.
    /// </returns>
    public async Task<PayloadWriteOutcome> WriteAsync(IReadOnlyList<PayloadRecord> records)
    {
        var perModel = new Dictionary<string, int>(StringComparer.Ordinal);
        var admitted = Admit(records, out var tooLarge, out var length, perModel);
        if (admitted.Count == 0)
        {
            return new PayloadWriteOutcome(0, 0, 0, tooLarge);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var batch = _database.CreateBatch();
        var counts = Count(batch, perModel);
        var replies = QueueWrites(batch, admitted, buffer, CommandFlags.None);
        batch.Execute();
        await UpdatePendingWindowsAsync(counts).ConfigureAwait(false);
        var outcome = await TallyAsync(replies, tooLarge).ConfigureAwait(false);
        // Only after the batch went through: a timed-out command may still be queued on the connection, reading
        // the buffer, so on failure the buffer is left to the garbage collector rather than reused.
        ArrayPool<byte>.Shared.Return(buffer);
        return outcome;
    }

    /// <summary>
    /// Validates every record (a malformed one throws before anything is sent) and keeps those within
    /// <see cref="PayloadLogOptions.MaxPayloadBytes"/>, with the buffer length their pending entries need.
    /// </summary>
    private List<PayloadRecord> Admit(IReadOnlyList<PayloadRecord> records, out int tooLarge, out int length, Dictionary<string, int>? perModel)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            Validate(record);
        }

        var admitted = new List<PayloadRecord>(records.Count);
        tooLarge = 0;
        length = 0;
        foreach (var record in records)
        {
            if (record.SizeInBytes > _options.MaxPayloadBytes)
            {
                tooLarge++;
                continue;
            }

            admitted.Add(record);
            length += EncodedLength(record) + sizeof(long);
            if (perModel is not null)
            {
                perModel[record.ModelName] = perModel.GetValueOrDefault(record.ModelName) + 1;
            }
        }

        return admitted;
    }

    /// <summary>
    /// Encodes the records into <paramref name="buffer"/> and queues one <see cref="PayloadLogScripts.Write"/> per
    /// model on <paramref name="target"/>: the store checks each model's budget and each request id in one step.
    /// </summary>
    private List<ScriptCall> QueueWrites(IDatabaseAsync target, List<PayloadRecord> records, byte[] buffer, CommandFlags flags)
    {
        var replies = new List<ScriptCall>();
        if (records.Count == 0)
        {
            return replies;
        }

        var now = _time.GetUtcNow();
        var writes = new Dictionary<string, ModelWrite>(StringComparer.Ordinal);
        var offset = 0;
        foreach (var record in records)
        {
            var window = PendingWindow(record.ModelName);
            var releaseMinute = CeilingMinute(now + window);
            var start = offset;
            WritePending(buffer, ref offset, record, releaseMinute);
            if (!writes.TryGetValue(record.ModelName, out var write))
            {
                writes[record.ModelName] = write = new ModelWrite();
            }

            write.Pending.Add(PendingKey(record.ModelName, record.RequestId));
            write.Duplicates.Add(DuplicatesKey(record.ModelName, record.RequestId));
            write.Entries.Add(buffer.AsMemory(start, offset - start));
            write.Entries.Add((long)Math.Ceiling(window.TotalMilliseconds));
            write.Entries.Add(releaseMinute);
        }

        var ledgerLifetime = (long)(_options.JoinWindow + LedgerGrace).TotalMilliseconds;
        foreach (var (model, write) in writes)
        {
            RedisKey[] keys = [LedgerKey(model), .. write.Pending, .. write.Duplicates];
            RedisValue[] values = [write.Pending.Count, UnixMinute(now), _options.MaxBytesPerModel, ledgerLifetime, .. write.Entries];
            // By hash (the text is sent again only when the store does not know it, as after a restart); fire-and-
            // forget cannot see that answer, so it sends the text.
            replies.Add(new ScriptCall(
                flags.HasFlag(CommandFlags.FireAndForget)
                    ? target.ScriptEvaluateAsync(PayloadLogScripts.Write, keys, values, flags)
                    : target.ScriptEvaluateAsync(PayloadLogScripts.WriteHash, keys, values, flags),
                keys,
                values));
        }

        return replies;
    }

    private async Task<PayloadWriteOutcome> TallyAsync(List<ScriptCall> replies, int tooLarge)
    {
        int logged = 0, duplicates = 0, overBudget = 0;
        foreach (var call in replies)
        {
            var reply = await OrByTextAsync(call.Reply, PayloadLogScripts.Write, call.Keys, call.Values).ConfigureAwait(false);
            foreach (var result in (RedisResult[])reply!)
            {
                switch ((int)result)
                {
                    case 1: logged++; break;
                    case 0: duplicates++; break;
                    default: overBudget++; break;
                }
            }
        }

        return new PayloadWriteOutcome(logged, duplicates, overBudget, tooLarge);
    }

    /// <summary>
    /// The answer to a script sent by hash, or, when the store did not know the hash (its script cache starts empty
    /// at every restart), to the script sent again with its text, which the store then keeps.
    /// </summary>
    private async Task<RedisResult> OrByTextAsync(Task<RedisResult> byHash, string script, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await byHash.ConfigureAwait(false);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await _database.ScriptEvaluateAsync(script, keys, values).ConfigureAwait(false);
        }
    }

    private sealed record ScriptCall(Task<RedisResult> Reply, RedisKey[] Keys, RedisValue[] Values);

    /// <summary>One model's share of a write: its pending keys, their duplicate counters, and per payload its value, lifetime and release minute.</summary>
    private sealed class ModelWrite
    {
        public List<RedisKey> Pending { get; } = [];

        public List<RedisKey> Duplicates { get; } = [];

        public List<RedisValue> Entries { get; } = [];
    }

    /// <summary>
    /// Adds a batch's payloads to each model's counter for this minute (shared by every writer) and reads back the
    /// counts that give the model's logging rate.
    /// </summary>
    private List<LoggingCount> Count(IBatch batch, Dictionary<string, int> perModel)
    {
        var now = _time.GetUtcNow();
        var minute = UnixMinute(now);
        var intoMinute = TimeSpan.FromMilliseconds(now.ToUnixTimeMilliseconds() % MillisecondsPerMinute);
        var counts = new List<LoggingCount>(perModel.Count);
        foreach (var (model, count) in perModel)
        {
            var key = CounterKey(model, minute);
            var current = batch.StringIncrementAsync(key, count);
            _ = batch.KeyExpireAsync(key, CounterLifetime, CommandFlags.FireAndForget);
            counts.Add(new LoggingCount(model, intoMinute, current, batch.StringGetAsync(CounterKey(model, minute - 1))));
        }

        return counts;
    }

    /// <summary>
    /// Sets each model's <see cref="PendingWindow"/> from the rate its counters show: the fuller of the last minute
    /// and this one so far, so a burst shortens the window within a batch rather than a minute later.
    /// </summary>
    private async Task UpdatePendingWindowsAsync(List<LoggingCount> counts)
    {
        foreach (var count in counts)
        {
            var lastMinute = (long?)await count.LastMinute.ConfigureAwait(false) ?? 0;
            var thisMinute = await count.ThisMinute.ConfigureAwait(false);
            var perSecond = Math.Max(lastMinute / 60d, thisMinute / Math.Max(1, count.IntoMinute.TotalSeconds));
            _pendingWindows[count.Model] = PendingWindowAt(perSecond);
        }
    }

    private sealed record LoggingCount(string Model, TimeSpan IntoMinute, Task<long> ThisMinute, Task<RedisValue> LastMinute);

    /// <summary>The join window, shortened so that <paramref name="perSecond"/> payloads a second keep about the cap waiting.</summary>
    internal TimeSpan PendingWindowAt(double perSecond)
    {
        var capped = perSecond > 0 ? TimeSpan.FromSeconds(_options.MaxPendingEntries / perSecond) : _options.JoinWindow;
        return capped >= _options.JoinWindow ? _options.JoinWindow : capped < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : capped;
    }

    /// <summary>
    /// Joins labels with logged payloads of <paramref name="modelName"/>: each joined payload moves to the model's
    /// labelled list. A label that arrives again while its payload would still have waited is joined once: the same
    /// label again is reported as already labelled, a different one is rejected (the first label stands). Labels whose
    /// row count differs from the payload's are rejected with the reason.
    /// </summary>
    /// <param name="shadowVersions">Shadow versions whose logged scores for the same requests are joined too.</param>
    public async Task<FeedbackJoin> JoinAsync(string modelName, IReadOnlyList<FeedbackLabel> labels, DateTimeOffset now, IReadOnlyCollection<string>? shadowVersions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentNullException.ThrowIfNull(labels);
        var joined = new List<LabelledPayload>();
        var unknown = new List<string>();
        var alreadyLabelled = new List<string>();
        var rejected = new List<string>();
        var fingerprints = labels.Select(label => Fingerprint(label.Labels)).ToArray();
        var taken = await TakeAsync(modelName, labels, fingerprints).ConfigureAwait(false);
        var labelledKey = LabelledKey(modelName);
        var pushes = new List<RedisValue>();
        var unmarks = new List<RedisKey>();
        for (var i = 0; i < labels.Count; i++)
        {
            var (value, duplicates, labelledWith) = taken[i];
            if (value is null)
            {
                if (labelledWith is null)
                {
                    unknown.Add(labels[i].RequestId);
                }
                else if (labelledWith.AsSpan().SequenceEqual(fingerprints[i]))
                {
                    alreadyLabelled.Add(labels[i].RequestId);
                }
                else
                {
                    rejected.Add($"request '{Shortened(labels[i].RequestId)}' was already labelled with a different label; the first label stands");
                }

                continue;
            }

            if (duplicates > 0)
            {
                // Whoever sent the id again may have sent other features: no one can tell which the label is for.
                rejected.Add($"request '{Shortened(labels[i].RequestId)}' was logged {duplicates + 1} times under the same id, so its label is not joined (give each request its own id)");
                unmarks.Add(LabelledMarkKey(modelName, labels[i].RequestId));
                continue;
            }

            var payload = Decode(value);
            if (labels[i].Labels.Length != payload.RowCount)
            {
                rejected.Add($"request '{labels[i].RequestId}' has {payload.RowCount} rows but {labels[i].Labels.Length} labels");
                unmarks.Add(LabelledMarkKey(modelName, labels[i].RequestId));
                continue;
            }

            var labelled = new LabelledPayload(payload, labels[i].Labels, now);
            joined.Add(labelled);
            pushes.Add(EncodeLabelled(labelled));
        }

        var shadowOutcomes = shadowVersions is { Count: > 0 } && joined.Count > 0
            ? await JoinShadowScoresAsync(modelName, joined, shadowVersions).ConfigureAwait(false)
            : [];
        if (pushes.Count > 0 || unmarks.Count > 0)
        {
            var transaction = _database.CreateTransaction();
            if (pushes.Count > 0)
            {
                _ = transaction.ListLeftPushAsync(labelledKey, [.. pushes]);
                _ = transaction.ListTrimAsync(labelledKey, 0, _options.MaxLabelledEntries - 1);
            }

            // A refused label took its payload but labelled nothing: sent again, it must not read as already labelled.
            if (unmarks.Count > 0)
            {
                _ = transaction.KeyDeleteAsync([.. unmarks]);
            }

            await transaction.ExecuteAsync().ConfigureAwait(false);
        }

        return new FeedbackJoin(joined, unknown, alreadyLabelled, rejected, shadowOutcomes);
    }

    /// <summary>
    /// Takes the labels' payloads out of the store (each exactly once, so a label delivered twice is joined once) with
    /// how many more times each id was logged, leaves each label's fingerprint in its payload's place, and gives their
    /// bytes back to the model's budget; for an id with no payload waiting, the fingerprint of the label that took it,
    /// if one did. One script, one round trip.
    /// </summary>
    private async Task<(byte[]? Value, long Duplicates, byte[]? LabelledWith)[]> TakeAsync(string modelName, IReadOnlyList<FeedbackLabel> labels, byte[][] fingerprints)
    {
        var taken = new (byte[]? Value, long Duplicates, byte[]? LabelledWith)[labels.Count];
        if (labels.Count == 0)
        {
            return taken;
        }

        RedisKey[] keys =
        [
            LedgerKey(modelName),
            .. labels.Select(label => PendingKey(modelName, label.RequestId)),
            .. labels.Select(label => DuplicatesKey(modelName, label.RequestId)),
            .. labels.Select(label => LabelledMarkKey(modelName, label.RequestId)),
        ];
        RedisValue[] values = [labels.Count, .. fingerprints.Select(fingerprint => (RedisValue)fingerprint)];
        var byHash = _database.ScriptEvaluateAsync(PayloadLogScripts.TakeHash, keys, values);
        var results = (RedisResult[])(await OrByTextAsync(byHash, PayloadLogScripts.Take, keys, values).ConfigureAwait(false))!;
        for (var i = 0; i < labels.Count; i++)
        {
            var value = (byte[]?)results[3 * i];
            var labelledWith = (byte[]?)results[3 * i + 2];
            taken[i] = (value is { Length: > 0 } ? value : null, (long)results[3 * i + 1], labelledWith is { Length: > 0 } ? labelledWith : null);
        }

        return taken;
    }

    /// <summary>A label's identity in 16 bytes: enough to tell a label sent again from a different one, whatever its rows.</summary>
    private static byte[] Fingerprint(float[] labels) =>
        SHA256.HashData(MemoryMarshal.AsBytes(labels.AsSpan()))[..16];

    private static string Shortened(string requestId) => requestId.Length <= 64 ? requestId : requestId[..64] + "…";

    private async Task<List<LabelledShadowScores>> JoinShadowScoresAsync(string modelName, List<LabelledPayload> joined, IReadOnlyCollection<string> shadowVersions)
    {
        var lookups = joined.SelectMany(labelled => shadowVersions.Select(version => (
            Labelled: labelled,
            Version: version,
            Key: ShadowBucketKey(modelName, version, labelled.Payload.At)))).ToList();
        var values = await Task.WhenAll(lookups.Select(lookup => _database.HashGetAsync(lookup.Key, lookup.Labelled.Payload.RequestId))).ConfigureAwait(false);
        var outcomes = new List<LabelledShadowScores>();
        var batch = _database.CreateBatch();
        for (var i = 0; i < lookups.Count; i++)
        {
            if (values[i].IsNull)
            {
                continue;
            }

            // Only the join that took the payload (GETDEL) gets here, so the scores are joined once; then they go.
            _ = batch.HashDeleteAsync(lookups[i].Key, lookups[i].Labelled.Payload.RequestId, CommandFlags.FireAndForget);
            using var reader = new BinaryReader(new MemoryStream((byte[])values[i]!), Encoding.UTF8);
            if (reader.ReadByte() != FormatVersion)
            {
                continue;
            }

            var at = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
            var scores = ReadFloats(reader);
            // A shadow that scored a different number of rows than the labels describe cannot be judged on them.
            if (scores.Length == lookups[i].Labelled.Labels.Length)
            {
                outcomes.Add(new LabelledShadowScores(lookups[i].Version, at, scores, lookups[i].Labelled.Labels));
            }
        }

        batch.Execute();
        return outcomes;
    }

    /// <summary>The newest labelled payloads of a model (at most <paramref name="count"/>), newest first.</summary>
    public async Task<IReadOnlyList<LabelledPayload>> ReadLabelledAsync(string modelName, int count)
    {
        if (count <= 0)
        {
            return [];
        }

        var values = await _database.ListRangeAsync(LabelledKey(modelName), 0, count - 1).ConfigureAwait(false);
        return [.. values.Select(value => DecodeLabelled((byte[])value!))];
    }

    public Task<long> CountLabelledAsync(string modelName) => _database.ListLengthAsync(LabelledKey(modelName));

    private string PendingKey(string modelName, string requestId) => $"{_options.KeyPrefix}pending:{modelName}:{requestId}";

    // Present only for an id logged again while its payload waited; it lives as long as that payload.
    private string DuplicatesKey(string modelName, string requestId) => $"{_options.KeyPrefix}again:{modelName}:{requestId}";

    // Present once a label took the id's payload, for the rest of that payload's lifetime: the label's fingerprint.
    private string LabelledMarkKey(string modelName, string requestId) => $"{_options.KeyPrefix}labelled-id:{modelName}:{requestId}";

    // The model's byte budget (see PayloadLogScripts).
    private string LedgerKey(string modelName) => $"{_options.KeyPrefix}bytes:{modelName}";

    // The first whole minute at or after a time: a payload's bytes are given back once its lifetime is surely over.
    private static long CeilingMinute(DateTimeOffset time) => (time.ToUnixTimeMilliseconds() + MillisecondsPerMinute - 1) / MillisecondsPerMinute;

    // Keyed by the payload's minute, so the writer (which has the original time) and the join (which has the stored
    // one) name the same bucket.
    private string ShadowBucketKey(string modelName, string shadowVersion, DateTimeOffset payloadAt) =>
        $"{_options.KeyPrefix}shadow:{modelName}:{shadowVersion}:{UnixMinute(payloadAt)}";

    // Whole minutes of the Unix epoch, from the milliseconds times are stored with.
    private static long UnixMinute(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / MillisecondsPerMinute;

    private string CounterKey(string modelName, long minute) => $"{_options.KeyPrefix}logged:{modelName}:{minute}";

    private string LabelledKey(string modelName) => $"{_options.KeyPrefix}labelled:{modelName}";

    private static void Validate(PayloadRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (string.IsNullOrEmpty(record.RequestId))
        {
            throw new ArgumentException("a logged payload needs a request id to be joined with its label");
        }

        if (record.FeatureCount <= 0 || record.Features.Length % record.FeatureCount != 0)
        {
            throw new ArgumentException($"payload of request '{record.RequestId}' has {record.Features.Length} values, not a multiple of {record.FeatureCount} features");
        }

        if (record.Scores.Length != 0 && record.Scores.Length != record.RowCount)
        {
            throw new ArgumentException($"payload of request '{record.RequestId}' has {record.RowCount} rows but {record.Scores.Length} scores");
        }
    }

    // Layout: version byte, then length-prefixed UTF-8 strings (model, version, request id), the time in
    // Unix milliseconds, the feature count, and the two float arrays with their lengths; little-endian, and
    // byte for byte what BinaryWriter writes, which is how it is read back.
    internal static byte[] Encode(PayloadRecord record)
    {
        var bytes = new byte[EncodedLength(record)];
        var offset = 0;
        Write(bytes, ref offset, record);
        return bytes;
    }

    internal static PayloadRecord Decode(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        return Read(reader);
    }

    // A pending entry: the same layout under its own format byte, then the Unix minute at which its bytes go back to
    // the model's budget (read by PayloadLogScripts.Take; the decoder stops before it).
    private static void WritePending(Span<byte> destination, ref int offset, PayloadRecord record, long releaseMinute)
    {
        var start = offset;
        Write(destination, ref offset, record);
        destination[start] = PendingFormatVersion;
        WriteInt64(destination, ref offset, releaseMinute);
    }

    private static byte[] EncodeLabelled(LabelledPayload labelled)
    {
        var bytes = new byte[EncodedLength(labelled.Payload) + FloatsLength(labelled.Labels) + sizeof(long)];
        var offset = 0;
        Write(bytes, ref offset, labelled.Payload);
        WriteFloats(bytes, ref offset, labelled.Labels);
        WriteInt64(bytes, ref offset, labelled.LabelledAt.ToUnixTimeMilliseconds());
        return bytes;
    }

    private static LabelledPayload DecodeLabelled(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        var payload = Read(reader);
        var labels = ReadFloats(reader);
        return new LabelledPayload(payload, labels, DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64()));
    }

    private static int EncodedLength(PayloadRecord record) =>
        1 + StringLength(record.ModelName) + StringLength(record.ModelVersion) + StringLength(record.RequestId)
        + sizeof(long) + sizeof(int) + FloatsLength(record.Features) + FloatsLength(record.Scores);

    private static void Write(Span<byte> destination, ref int offset, PayloadRecord record)
    {
        destination[offset++] = FormatVersion;
        WriteString(destination, ref offset, record.ModelName);
        WriteString(destination, ref offset, record.ModelVersion);
        WriteString(destination, ref offset, record.RequestId);
        WriteInt64(destination, ref offset, record.At.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt32LittleEndian(destination[offset..], record.FeatureCount);
        offset += sizeof(int);
        WriteFloats(destination, ref offset, record.Features);
        WriteFloats(destination, ref offset, record.Scores);
    }

    private static int StringLength(string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        return SevenBitLength((uint)byteCount) + byteCount;
    }

    private static int SevenBitLength(uint value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    // BinaryWriter's string: the UTF-8 byte count as a 7-bit encoded integer, then the bytes.
    private static void WriteString(Span<byte> destination, ref int offset, string value)
    {
        var byteCount = (uint)Encoding.UTF8.GetByteCount(value);
        while (byteCount >= 0x80)
        {
            destination[offset++] = (byte)(byteCount | 0x80);
            byteCount >>= 7;
        }

        destination[offset++] = (byte)byteCount;
        offset += Encoding.UTF8.GetBytes(value, destination[offset..]);
    }

    private static void WriteInt64(Span<byte> destination, ref int offset, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination[offset..], value);
        offset += sizeof(long);
    }

    private static int FloatsLength(float[] values) => sizeof(int) + values.Length * sizeof(float);

    private static PayloadRecord Read(BinaryReader reader)
    {
        var format = reader.ReadByte();
        if (format is not FormatVersion and not PendingFormatVersion)
        {
            throw new InvalidDataException($"payload log entry has format {format}; this version reads {FormatVersion}");
        }

        var model = reader.ReadString();
        var version = reader.ReadString();
        var requestId = reader.ReadString();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
        var featureCount = reader.ReadInt32();
        return new PayloadRecord(model, version, requestId, at, featureCount, ReadFloats(reader), ReadFloats(reader));
    }

    private static void WriteFloats(Span<byte> destination, ref int offset, float[] values)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination[offset..], values.Length);
        offset += sizeof(int);
        foreach (var value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination[offset..], value);
            offset += sizeof(float);
        }
    }

    private static float[] ReadFloats(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        var values = new float[length];
        var bytes = reader.ReadBytes(length * sizeof(float));
        for (var i = 0; i < length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        }

        return values;
    }
}
