namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// A platform whose monitoring judges 2-second windows and whose training worker looks for work every second, so a
/// closed loop (alert, retraining, shadow, gate, promotion) plays out in about a minute and a half. Its worker
/// allow-lists one external training command, <c>fit-logistic</c>: the logistic regression shipped with the tests.
/// </summary>
public sealed class AcceleratedPlatformFixture : PlatformFixture
{
    protected override IReadOnlyList<string> ExtraArguments =>
    [
        "--Monitoring:Window=00:00:02",
        "--Monitoring:Grace=00:00:01",
        "--Monitoring:MinimumLabelledRows=3000",
        // Accuracy is judged over the last 30 s: 3,000 labelled rows arrive in that span even on a busy machine.
        "--Monitoring:AccuracyWindows=15",
        "--Training:PollInterval=00:00:01",
        "--Training:LabelPollInterval=00:00:01",
        "--Training:Commands:fit-logistic:Executable=bash",
        $"--Training:Commands:fit-logistic:Arguments:0={Path.Combine(AppContext.BaseDirectory, "train.sh")}",
        "--Training:Commands:fit-logistic:Arguments:1={data}",
        "--Training:Commands:fit-logistic:Arguments:2={parent}",
        "--Training:Commands:fit-logistic:Arguments:3={output}",
        "--Training:Commands:fit-logistic:Arguments:4=--label",
        "--Training:Commands:fit-logistic:Arguments:5={label}",
        "--Training:Commands:fit-logistic:TimeLimit=00:05:00",
    ];
}

/// <summary>The test classes that share one accelerated platform, one after another: starting one costs a minute.</summary>
[CollectionDefinition(Name)]
public sealed class AcceleratedPlatformCollection : ICollectionFixture<AcceleratedPlatformFixture>
{
    public const string Name = "accelerated platform";
}
