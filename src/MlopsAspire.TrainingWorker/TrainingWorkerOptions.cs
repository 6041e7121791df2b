using MlopsAspire.Training.Trainers;

namespace MlopsAspire.TrainingWorker;

/// <summary>Where the worker registers candidates and how it looks for work (section <c>Training</c>).</summary>
public sealed class TrainingWorkerOptions
{
    public const string SectionName = "Training";

    /// <summary>The control plane's management API (gRPC), e.g. http://localhost:8081.</summary>
    public string ManagementAddress { get; set; } = "http://localhost:8081";

    /// <summary>An operator API key of the management API: registering and shadowing need it.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>How often the worker asks each model's retraining grain for a queued run (retraining takes minutes; asking every few seconds is plenty).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Newest labelled payload-log entries read per run (each holds one request's rows).</summary>
    public int MaxLabelledEntries { get; set; } = 20_000;

    /// <summary>Most rows trained on; the newest are kept.</summary>
    public int MaxTrainingRows { get; set; } = 100_000;

    /// <summary>How often a run waiting for labels looks again.</summary>
    public TimeSpan LabelPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The commands the <c>command</c> trainer may run, by the name a model's config gives in <c>training.command</c>
    /// (<c>Training:Commands:NAME:Executable</c>, <c>:Arguments</c>, <c>:TimeLimit</c>). None by default: a model config
    /// never carries a command line, only a name an administrator allow-listed here.
    /// </summary>
    public Dictionary<string, CommandTrainerOptions> Commands { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Throws naming the first bad value, so a misconfigured worker stops at start-up.</summary>
    public void Validate()
    {
        if (!Uri.TryCreate(ManagementAddress, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"Training:ManagementAddress '{ManagementAddress}' is not an http:// or https:// URL");
        }

        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new InvalidOperationException("Training:ApiKey is empty: the worker needs an operator key of the management API to register candidates");
        }

        if (PollInterval <= TimeSpan.Zero || LabelPollInterval <= TimeSpan.Zero || MaxLabelledEntries <= 0 || MaxTrainingRows < 100)
        {
            throw new InvalidOperationException("Training:PollInterval and LabelPollInterval must be positive, MaxLabelledEntries positive and MaxTrainingRows at least 100");
        }

        foreach (var (name, command) in Commands)
        {
            command.Validate(name);
        }
    }
}
