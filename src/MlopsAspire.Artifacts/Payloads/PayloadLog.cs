using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using StackExchange.Redis;

namespace MlopsAspire.Artifacts.Payloads;

/// <summary>
/// Sampled predictions and their ground truth, in the store. Each logged payload is kept under its request id
/// for <see cref="PayloadLogOptions.JoinWindow"/> so feedback can find it; joined rows go to a capped list per
/// model, newest first, which is what live accuracy and retraining read. Plain strings and lists only, so it
/// works on Garnet and Redis alike.
/// </summary>
public sealed class PayloadLog
{
    private const byte FormatVersion = 1;
    private readonly IDatabase _database;
    private readonly PayloadLogOptions _options;

    public PayloadLog(IConnectionMultiplexer redis, PayloadLogOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _options = options ?? new PayloadLogOptions();
        _options.Validate();
        _database = redis.GetDatabase();
    }

    /// <summary>Logs predictions (fire-and-forget on the connection: the request path never waits on the store).</summary>
    public void Append(IReadOnlyList<PayloadRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var batch = _database.CreateBatch();
        foreach (var record in records)
        {
            Validate(record);
            _ = batch.StringSetAsync(PendingKey(record.ModelName, record.RequestId), Encode(record), _options.JoinWindow, flags: CommandFlags.FireAndForget);
        }

        batch.Execute();
    }

    public async Task AppendAsync(PayloadRecord record)
    {
        Validate(record);
        await _database.StringSetAsync(PendingKey(record.ModelName, record.RequestId), Encode(record), _options.JoinWindow).ConfigureAwait(false);
    }

    /// <summary>
    /// Joins labels with logged payloads of <paramref name="modelName"/>: each joined payload moves to the model's
    /// labelled list (a label that arrives twice is joined once). Labels whose row count differs from the
    /// payload's are rejected with the reason.
    /// </summary>
    public async Task<FeedbackJoin> JoinAsync(string modelName, IReadOnlyList<FeedbackLabel> labels, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentNullException.ThrowIfNull(labels);
        var joined = new List<LabelledPayload>();
        var unknown = new List<string>();
        var rejected = new List<string>();
        // GETDEL takes each payload exactly once, so a label delivered twice is joined once; pipelined.
        var values = await Task.WhenAll(labels.Select(label => _database.StringGetDeleteAsync(PendingKey(modelName, label.RequestId)))).ConfigureAwait(false);
        var labelledKey = LabelledKey(modelName);
        var pushes = new List<RedisValue>();
        for (var i = 0; i < labels.Count; i++)
        {
            if (values[i].IsNull)
            {
                unknown.Add(labels[i].RequestId);
                continue;
            }

            var payload = Decode((byte[])values[i]!);
            if (labels[i].Labels.Length != payload.RowCount)
            {
                rejected.Add($"request '{labels[i].RequestId}' has {payload.RowCount} rows but {labels[i].Labels.Length} labels");
                continue;
            }

            var labelled = new LabelledPayload(payload, labels[i].Labels, now);
            joined.Add(labelled);
            pushes.Add(EncodeLabelled(labelled));
        }

        if (pushes.Count > 0)
        {
            var transaction = _database.CreateTransaction();
            _ = transaction.ListLeftPushAsync(labelledKey, [.. pushes]);
            _ = transaction.ListTrimAsync(labelledKey, 0, _options.MaxLabelledEntries - 1);
            await transaction.ExecuteAsync().ConfigureAwait(false);
        }

        return new FeedbackJoin(joined, unknown, rejected);
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
    // Unix milliseconds, the feature count, and the two float arrays with their lengths.
    internal static byte[] Encode(PayloadRecord record)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            Write(writer, record);
        }

        return stream.ToArray();
    }

    internal static PayloadRecord Decode(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        return Read(reader);
    }

    private static byte[] EncodeLabelled(LabelledPayload labelled)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            Write(writer, labelled.Payload);
            WriteFloats(writer, labelled.Labels);
            writer.Write(labelled.LabelledAt.ToUnixTimeMilliseconds());
        }

        return stream.ToArray();
    }

    private static LabelledPayload DecodeLabelled(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        var payload = Read(reader);
        var labels = ReadFloats(reader);
        return new LabelledPayload(payload, labels, DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64()));
    }

    private static void Write(BinaryWriter writer, PayloadRecord record)
    {
        writer.Write(FormatVersion);
        writer.Write(record.ModelName);
        writer.Write(record.ModelVersion);
        writer.Write(record.RequestId);
        writer.Write(record.At.ToUnixTimeMilliseconds());
        writer.Write(record.FeatureCount);
        WriteFloats(writer, record.Features);
        WriteFloats(writer, record.Scores);
    }

    private static PayloadRecord Read(BinaryReader reader)
    {
        var format = reader.ReadByte();
        if (format != FormatVersion)
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

    private static void WriteFloats(BinaryWriter writer, float[] values)
    {
        writer.Write(values.Length);
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (BitConverter.IsLittleEndian)
        {
            writer.Write(bytes);
        }
        else
        {
            foreach (var value in values)
            {
                writer.Write(value);
            }
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
