using System.Globalization;

internal sealed record GpuCheckArguments(string ModelDirectory, string? OutputFile, double SecondsPerPoint)
{
    public static GpuCheckArguments? Parse(string[] args)
    {
        string? models = null, output = null;
        var seconds = 1.0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--models": models = args[i + 1]; break;
                case "--out": output = args[i + 1]; break;
                case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: return null;
            }
        }

        return models is null ? null : new GpuCheckArguments(models, output, seconds);
    }
}
