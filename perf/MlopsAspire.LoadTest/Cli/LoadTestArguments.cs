using System.Globalization;
using MlopsAspire.LoadTest.Baselines;
using MlopsAspire.LoadTest.Scenarios;
using MlopsAspire.LoadTest.Scheduling;
using MlopsAspire.LoadTest.Targets;
using MlopsAspire.LoadTest.Workloads;
using MlopsAspire.Serving;

namespace MlopsAspire.LoadTest.Cli;

/// <summary>Parses the command line into <see cref="LoadTestOptions"/>; every mistake is one <see cref="UsageException"/>.</summary>
public static class LoadTestArguments
{
    public const string Usage = """
        Usage: MlopsAspire.LoadTest <scenario> [<scenario> ...] [options]
               MlopsAspire.LoadTest model:NAME | model-stream:NAME [options]   (any model the target serves:
                   requests built from its ModelMetadata, unary or over streams)
               MlopsAspire.LoadTest baselines [--model fraud|resnet18|all] [options]
               MlopsAspire.LoadTest list
               MlopsAspire.LoadTest models DIR [--model fraud|resnet18|all]   (writes a replica's model folder)
        Target:    --target host:port (a running platform) | --target host:port,host:port (its replicas, called
                   round-robin from this side) | --discover host:port (the control plane's management API: its
                   replicas serving the scenarios' model, listed with their own addresses and called round-robin;
                   the key comes from $MLOPS_API_KEY) | --in-process (default: a replica in this process)
        Workload:  --rate R [--arrival constant|poisson|ramp] [--ramp-to R]   open model, R requests/s
                   --concurrency N                                         closed model, N clients
                   --duration 10s  --batch-size 1  --encoding raw|typed
                   --warmup 2s (at least)  --max-warmup 30s  --steady-within 0.05   warm until 3 one-second
                   slices are within ±5 % of their mean, then measure
                   --connections 1  --streams 4  --max-in-flight 4096  --late-threshold-ms 1  --spin-us 1000
                   --drain-timeout 10s  --repeat N (medians of N runs)  --seed 1
        Any model: --model-version V  --batch-size N (the first dynamic dimension; others are 1)
                   --shape NAME:D,D,... (an input's whole shape, repeatable)  --seed 1 (random values)
                   --input-data FILE (a KServe v2 JSON request body, inputs sent as given)
                   in-process: --set Inference:ModelRepository=DIR (DIR/NAME/1/model.onnx) serves your folder
        Objective: --objective-p99-ms X [--max-error-rate 0.001] [--start-rate 100] [--max-rate 100000]
                   [--step-factor 1.5] [--step-duration 5s] [--refine-steps 3]   finds the highest rate meeting it
                   [--arrival poisson] [--target-rate R]   and the replicas R requests/s need at that rate each
        Replica:   --intra-op-threads 1  --set Key=Value (configuration of in-process replicas, repeatable)
        Baselines: --model fraud|resnet18|all  --cores N (default: all; every contender gets the same cores:
                   cores ÷ intra-op threads sessions at once, as raw-loop threads, naive-server runs, our instances)
                   --best [--tune-duration 3s]   tune each contender's sessions × threads (and our batcher) on
                   the cores first, then compare best with best
                   --provider cpu|cuda   where every contender runs the model (cuda needs the GPU build and
                   fails when CUDA cannot start)
        Output:    --out DIR (report.json, report.md, report.html)  --no-progress
        """;

    public static LoadTestOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            throw new UsageException($"name a scenario ({ScenarioCatalog.Names}), 'baselines' or 'list'");
        }

        var options = new LoadTestOptions();
        var scenarios = new List<Scenario>();
        var replicaConfiguration = new List<string>();
        var inProcess = false;
        var providerGiven = false;
        var batchSizeGiven = false;
        var shapes = new Dictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (i == 0 && arg is "baselines" or "list" or "help" or "models")
                {
                    options = options with
                    {
                        Verb = arg switch
                        {
                            "baselines" => LoadTestVerb.Baselines,
                            "list" => LoadTestVerb.List,
                            "models" => LoadTestVerb.Models,
                            _ => LoadTestVerb.Help,
                        },
                    };
                    continue;
                }

                if (options.Verb == LoadTestVerb.Models && options.ModelFolder is null)
                {
                    options = options with { ModelFolder = arg };
                    continue;
                }

                if (options.Verb != LoadTestVerb.Run)
                {
                    throw new UsageException($"unexpected argument '{arg}' after '{args[0]}'");
                }

                scenarios.Add(ScenarioCatalog.TryFind(arg, out var scenario)
                    ? scenario
                    : throw new UsageException($"unknown scenario '{arg}'; scenarios: {ScenarioCatalog.Names}"));
                continue;
            }

            var name = arg;
            string? inlineValue = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                inlineValue = arg[(equals + 1)..];
            }

            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException($"{name} needs a value");
                }

                return args[++i];
            }

            options = name switch
            {
                "--help" or "-h" => options with { Verb = LoadTestVerb.Help },
                "--target" => options with { Targets = ParseTargets(Value()) },
                "--discover" => options with { DiscoverFrom = ParseManagementAddress(Value()) },
                "--in-process" => SetInProcess(options, ref inProcess),
                "--rate" => options with { Rate = PositiveDouble(name, Value()) },
                "--arrival" => options with { Arrival = ParseEnum<ArrivalKind>(name, Value()) },
                "--ramp-to" => options with { RampToRate = PositiveDouble(name, Value()) },
                "--concurrency" => options with { Concurrency = PositiveInt(name, Value()) },
                "--duration" => options with { Duration = Duration(name, Value()) },
                "--warmup" => options with { Warmup = Duration(name, Value(), allowZero: true) },
                "--max-warmup" => options with { MaxWarmup = Duration(name, Value(), allowZero: true) },
                "--steady-within" => options with { SteadyTolerance = SteadyTolerance(name, Value()) },
                "--batch-size" => SetBatchSize(options, ref batchSizeGiven, PositiveInt(name, Value())),
                "--model-version" => options with { ModelVersion = Value() },
                "--input-data" => options with { InputDataFile = Value() },
                "--shape" => AddShape(options, shapes, Value()),
                "--encoding" => options with { Encoding = ParseEnum<TensorEncoding>(name, Value()) },
                "--connections" => options with { Connections = PositiveInt(name, Value()) },
                "--streams" => options with { Streams = PositiveInt(name, Value()) },
                "--max-in-flight" => options with { MaxInFlight = PositiveInt(name, Value()) },
                "--drain-timeout" => options with { DrainTimeout = Duration(name, Value()) },
                "--late-threshold-ms" => options with { LateThreshold = TimeSpan.FromMilliseconds(PositiveDouble(name, Value())) },
                "--spin-us" => options with { SpinWindow = TimeSpan.FromMicroseconds(NonNegativeDouble(name, Value())) },
                "--intra-op-threads" => options with { IntraOpThreads = NonNegativeInt(name, Value()) },
                "--repeat" => options with { Repeat = PositiveInt(name, Value()) },
                "--out" => options with { OutputDirectory = Value() },
                "--seed" => options with { Seed = NonNegativeInt(name, Value()) },
                "--no-progress" => options with { Progress = false },
                "--set" => AddSetting(options, replicaConfiguration, Value()),
                "--objective-p99-ms" => options with { ObjectiveP99Ms = PositiveDouble(name, Value()) },
                "--max-error-rate" => options with { MaxErrorRate = Fraction(name, Value()) },
                "--target-rate" => options with { TargetRate = PositiveDouble(name, Value()) },
                "--start-rate" => options with { StartRate = PositiveDouble(name, Value()) },
                "--max-rate" => options with { MaxRate = PositiveDouble(name, Value()) },
                "--step-factor" => options with { StepFactor = StepFactor(name, Value()) },
                "--step-duration" => options with { StepDuration = Duration(name, Value()) },
                "--refine-steps" => options with { RefineSteps = NonNegativeInt(name, Value()) },
                "--model" => options with { BaselineModels = BaselineModels(Value()) },
                "--cores" => options with { Cores = PositiveInt(name, Value()) },
                "--best" => options with { Best = true },
                "--tune-duration" => options with { TuneDuration = Duration(name, Value()) },
                "--provider" => SetProvider(options, ref providerGiven, ParseEnum<ExecutionProvider>(name, Value())),
                "--compute-threads" => throw new UsageException(
                    "--compute-threads is gone: every contender now gets the same cores; give them with --cores N"),
                _ => throw new UsageException($"unknown option '{name}'; run with --help for the options"),
            };
        }

        if (options.Verb == LoadTestVerb.Models && options.ModelFolder is null)
        {
            throw new UsageException("models needs the folder to write the demo models into");
        }

        if (options.Verb != LoadTestVerb.Run)
        {
            ValidateAnyModel(options with { Shapes = shapes }, batchSizeGiven);
            return Validate(options with { ReplicaConfiguration = replicaConfiguration }, inProcess, providerGiven);
        }

        if (scenarios.Count == 0)
        {
            throw new UsageException($"name a scenario: {ScenarioCatalog.Names}");
        }

        options = options with { Scenarios = scenarios, ReplicaConfiguration = replicaConfiguration, Shapes = shapes };
        ValidateAnyModel(options, batchSizeGiven);
        return Validate(options, inProcess, providerGiven);
    }

    /// <summary>The options of scenarios for any model (<c>model:NAME</c>), and what in-process can serve of them.</summary>
    private static void ValidateAnyModel(LoadTestOptions options, bool batchSizeGiven)
    {
        var anyModel = options.Scenarios.Where(scenario => scenario.RequestsFromTarget).ToList();
        var option = options.ModelVersion is not null ? "--model-version" : options.InputDataFile is not null ? "--input-data" : options.Shapes.Count > 0 ? "--shape" : null;
        if (option is not null && (anyModel.Count == 0 || anyModel.Count != options.Scenarios.Count))
        {
            throw new UsageException($"{option} describes the requests of a model named with {ScenarioCatalog.AnyModelPrefix}NAME or {ScenarioCatalog.AnyModelStreamPrefix}NAME; every scenario must name one");
        }

        if (anyModel.Select(scenario => scenario.Model).Distinct(StringComparer.Ordinal).Count() > 1 && option is not null)
        {
            throw new UsageException($"{option} describes one model's requests; these scenarios name {string.Join(" and ", anyModel.Select(scenario => scenario.Model).Distinct(StringComparer.Ordinal))}");
        }

        if (options.InputDataFile is { } file)
        {
            if (batchSizeGiven || options.Shapes.Count > 0)
            {
                throw new UsageException("--input-data sends its inputs as given, shapes and batch included: drop --batch-size and --shape");
            }

            if (!File.Exists(file))
            {
                throw new UsageException($"--input-data: no file at {file}");
            }
        }

        var servesFolder = ScenarioTarget.UserModelFolder(options.ReplicaConfiguration) is not null;
        if (!options.TargetsPlatform && !servesFolder)
        {
            foreach (var scenario in anyModel.Where(scenario => !DemoModelFiles.Names.Contains(scenario.Model, StringComparer.Ordinal)))
            {
                throw new UsageException(
                    $"the in-process replica serves only the demo models ({string.Join(", ", DemoModelFiles.Names)}), not '{scenario.Model}': " +
                    $"give --target host:port of a platform serving it, or serve your model folder in-process with --set {ScenarioTarget.ModelRepositorySetting}DIR (DIR/{scenario.Model}/1/model.onnx)");
            }
        }
    }

    private static LoadTestOptions SetBatchSize(LoadTestOptions options, ref bool batchSizeGiven, int batchSize)
    {
        batchSizeGiven = true;
        return options with { BatchSize = batchSize };
    }

    private static LoadTestOptions AddShape(LoadTestOptions options, Dictionary<string, IReadOnlyList<long>> shapes, string value)
    {
        if (!ModelRequests.TryParseShape(value, out var input, out var shape))
        {
            throw new UsageException($"--shape expects NAME:D,D,... with positive dimensions (e.g. --shape tokens:1,128), not '{value}'");
        }

        if (!shapes.TryAdd(input, shape))
        {
            throw new UsageException($"--shape gives input '{input}' twice");
        }

        return options;
    }

    private static LoadTestOptions Validate(LoadTestOptions options, bool inProcess, bool providerGiven)
    {
        if (providerGiven && options.Verb != LoadTestVerb.Baselines)
        {
            throw new UsageException("--provider picks where the baselines' contenders run; use it with 'baselines' (an in-process replica takes --set Inference:ExecutionProvider=Cuda)");
        }

        if (providerGiven && options.ReplicaConfiguration.Any(setting => setting.StartsWith("Inference:ExecutionProvider=", StringComparison.OrdinalIgnoreCase)))
        {
            throw new UsageException("--provider sets our replica's Inference:ExecutionProvider as well as the other contenders'; drop --set Inference:ExecutionProvider");
        }

        if (inProcess && options.Target is not null)
        {
            throw new UsageException("--target and --in-process exclude each other");
        }

        if (options.DiscoverFrom is not null && (inProcess || options.Target is not null))
        {
            throw new UsageException("--discover finds the targets itself: drop --target and --in-process");
        }

        if (options.DiscoverFrom is not null && options.Verb != LoadTestVerb.Run)
        {
            throw new UsageException("--discover finds a running platform's replicas for scenarios; 'baselines' runs its own contenders");
        }

        if (options.DiscoverFrom is not null && options.IsSearch)
        {
            throw new UsageException("--objective-p99-ms finds what one replica sustains: give --target one address instead of --discover");
        }

        if (options.DiscoverFrom is not null && options.Scenarios.Select(scenario => scenario.Model).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw new UsageException($"--discover lists one model's replicas; these scenarios call {string.Join(" and ", options.Scenarios.Select(scenario => scenario.Model).Distinct(StringComparer.Ordinal))}");
        }

        if (options.Rate is not null && options.Concurrency is not null)
        {
            throw new UsageException("--rate (open model) and --concurrency (closed model) exclude each other");
        }

        if (options.Arrival == ArrivalKind.Ramp && options.RampToRate is null)
        {
            throw new UsageException("--arrival ramp needs --ramp-to, the rate at the end of the run");
        }

        if (options.IsSearch && (options.Arrival == ArrivalKind.Ramp || options.RampToRate is not null))
        {
            throw new UsageException("--objective-p99-ms holds each step at one rate: --arrival constant or poisson, no ramp");
        }

        // A search sets each step's rate itself; it only takes the arrivals' shape.
        if ((options.Arrival != ArrivalKind.Constant || options.RampToRate is not null) && options.Rate is null && !options.IsSearch)
        {
            throw new UsageException("--arrival and --ramp-to shape an open workload; give its rate with --rate");
        }

        if (options.IsSearch && options.Concurrency is not null)
        {
            throw new UsageException("--objective-p99-ms searches over arrival rates; drop --concurrency");
        }

        if (options.TargetRate is not null && !options.IsSearch)
        {
            throw new UsageException("--target-rate plans replicas from a search: give the objective with --objective-p99-ms");
        }

        if (options.IsSearch && options.Scenarios.Count != 1)
        {
            throw new UsageException("--objective-p99-ms searches one scenario at a time");
        }

        if (options.Verb == LoadTestVerb.Baselines)
        {
            CoreShare.Of(options.Cores, options.IntraOpThreads);
        }

        if (options.IsSearch && options.Targets.Count > 1)
        {
            throw new UsageException("--objective-p99-ms finds what one replica sustains: give --target one address");
        }

        if (options.Best && options.Verb != LoadTestVerb.Baselines)
        {
            throw new UsageException("--best tunes the contenders of baselines; use it with 'baselines'");
        }

        if (options.Best && options.IntraOpThreads != 1)
        {
            throw new UsageException("--best tunes every contender's intra-op threads itself; drop --intra-op-threads");
        }

        if (options.StartRate > options.MaxRate)
        {
            throw new UsageException($"--start-rate {options.StartRate} is above --max-rate {options.MaxRate}");
        }

        foreach (var scenario in options.Scenarios)
        {
            if (scenario.Target == TargetKind.PlatformOnly && !options.TargetsPlatform)
            {
                throw new UsageException(
                    $"scenario '{scenario.Name}' needs a running platform set up with {scenario.TargetSetup}; pass --target host:port");
            }

            if (scenario.Target == TargetKind.InProcessOnly && options.TargetsPlatform)
            {
                throw new UsageException(
                    $"scenario '{scenario.Name}' starts its own in-process replica; drop {(options.DiscoverFrom is null ? "--target" : "--discover")}");
            }

            if (scenario.Call == CallKind.Pipeline && options.Encoding != TensorEncoding.Raw)
            {
                throw new UsageException($"scenario '{scenario.Name}' hands raw tensors to the engine; drop --encoding typed");
            }
        }

        return options;
    }

    private static LoadTestOptions SetInProcess(LoadTestOptions options, ref bool inProcess)
    {
        inProcess = true;
        return options;
    }

    private static LoadTestOptions SetProvider(LoadTestOptions options, ref bool providerGiven, ExecutionProvider provider)
    {
        providerGiven = true;
        return options with { Provider = provider };
    }

    private static LoadTestOptions AddSetting(LoadTestOptions options, List<string> settings, string value)
    {
        if (value.IndexOf('=', StringComparison.Ordinal) <= 0)
        {
            throw new UsageException($"--set expects Key=Value (e.g. Inference:Batching:MaxBatchSize=32), not '{value}'");
        }

        settings.Add(value);
        return options;
    }

    private static List<Uri> ParseTargets(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > 64)
        {
            throw new UsageException($"--target lists {parts.Length} addresses; at most 64");
        }

        var targets = new List<Uri>(parts.Length);
        foreach (var part in parts)
        {
            try
            {
                targets.Add(GrpcChannels.ParseAddress(part));
            }
            catch (FormatException exception)
            {
                throw new UsageException($"--target: {exception.Message}");
            }
        }

        if (targets.Select(target => target.Authority).Distinct(StringComparer.OrdinalIgnoreCase).Count() != targets.Count)
        {
            throw new UsageException($"--target names an address twice ('{value}')");
        }

        return targets;
    }

    private static Uri ParseManagementAddress(string value)
    {
        try
        {
            return GrpcChannels.ParseAddress(value);
        }
        catch (FormatException)
        {
            throw new UsageException($"--discover: '{value}' is not the management API's address; expected host:port, e.g. localhost:8081");
        }
    }

    private static IReadOnlyList<string> BaselineModels(string value) => value switch
    {
        "fraud" or "resnet18" => [value],
        "all" => ["fraud", "resnet18"],
        _ => throw new UsageException($"--model must be fraud, resnet18 or all, not '{value}'"),
    };

    private static TEnum ParseEnum<TEnum>(string name, string value)
        where TEnum : struct, Enum =>
        Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !char.IsDigit(value[0])
            ? parsed
            : throw new UsageException($"{name} must be one of {string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}, not '{value}'");

    private static double PositiveDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 && double.IsFinite(parsed)
            ? parsed
            : throw new UsageException($"{name} must be a positive number, not '{value}'");

    private static double NonNegativeDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0 && double.IsFinite(parsed)
            ? parsed
            : throw new UsageException($"{name} must be a number ≥ 0, not '{value}'");

    private static double Fraction(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and <= 1
            ? parsed
            : throw new UsageException($"{name} must be a fraction between 0 and 1 (0.001 is 0.1%), not '{value}'");

    private static double SteadyTolerance(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is > 0 and < 1
            ? parsed
            : throw new UsageException($"{name} must be a fraction above 0 and below 1 (0.05 is ±5 %), not '{value}'");

    private static double StepFactor(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed > 1 && double.IsFinite(parsed)
            ? parsed
            : throw new UsageException($"{name} must be a number above 1, not '{value}'");

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed > 0
            ? parsed
            : throw new UsageException($"{name} must be a positive whole number, not '{value}'");

    private static int NonNegativeInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0
            ? parsed
            : throw new UsageException($"{name} must be a whole number ≥ 0, not '{value}'");

    /// <summary>"10s", "500ms", "2m" or a plain number of seconds.</summary>
    private static TimeSpan Duration(string name, string value, bool allowZero = false)
    {
        var (number, unit) = value.EndsWith("ms", StringComparison.Ordinal) ? (value[..^2], 0.001)
            : value.EndsWith('s') ? (value[..^1], 1.0)
            : value.EndsWith('m') ? (value[..^1], 60.0)
            : (value, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !double.IsFinite(parsed)
            || parsed < 0 || (parsed == 0 && !allowZero))
        {
            throw new UsageException($"{name} must be a duration such as 10s, 500ms or 2m, not '{value}'");
        }

        return TimeSpan.FromSeconds(parsed * unit);
    }
}
