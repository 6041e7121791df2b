using MlopsAspire.FraudData;
using MlopsAspire.Monitoring.Profiles;

namespace MlopsAspire.Benchmarks;

internal static class FraudStatisticsData
{
    /// <summary>A reference profile from 5,000 fraud rows and live rows from the same population, with a stand-in score.</summary>
    public static (ReferenceProfile Profile, float[] Inputs, float[] Scores) Create(int liveRows)
    {
        var reference = new FraudDataGenerator(new FraudDataOptions { Seed = 1 }).Generate(5_000).Select(row => row.Features).ToList();
        var profile = ReferenceProfile.FromRows(
            FraudFeatures.Names,
            reference,
            new Dictionary<string, IReadOnlyList<double>> { ["probability"] = reference.Select(row => (double)Score(row)).ToList() });
        var live = new FraudDataGenerator(new FraudDataOptions { Seed = 2 }).Generate(liveRows).ToList();
        return (profile, [.. live.SelectMany(row => row.Features)], [.. live.Select(row => Score(row.Features))]);
    }

    private static float Score(float[] features) =>
        1f / (1f + MathF.Exp(-((0.004f * features[0]) + (3f * features[2]) + features[7] - 3f)));
}
