using System.Globalization;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// Real daily weather at Seattle, 2012-2015 (Data/README.md): the features temp_max, temp_min and wind of each day,
/// and whether it rained. The warm season (April to September) is what a rain model is trained on and first
/// served; the cold season (October to March) is the seasonal shift.
/// </summary>
internal sealed class SeattleWeather
{
    public static readonly string[] Features = ["temp_max", "temp_min", "wind"];

    private SeattleWeather(IReadOnlyList<WeatherDay> warm, IReadOnlyList<WeatherDay> cold) => (WarmSeason, ColdSeason) = (warm, cold);

    public IReadOnlyList<WeatherDay> WarmSeason { get; }

    public IReadOnlyList<WeatherDay> ColdSeason { get; }

    public static SeattleWeather Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Data", "seattle-weather.csv");
        var lines = File.ReadAllLines(path);
        if (lines is not ["date,precipitation,temp_max,temp_min,wind,weather", ..])
        {
            throw new InvalidDataException($"{path}: not the expected header");
        }

        var days = lines.Skip(1).Select(line => line.Split(',')).Select(cells => new WeatherDay(
            DateOnly.ParseExact(cells[0], "yyyy-MM-dd", CultureInfo.InvariantCulture),
            [Number(cells[2]), Number(cells[3]), Number(cells[4])],
            Number(cells[1]) > 0)).ToList();
        return new SeattleWeather(
            [.. days.Where(day => day.Date.Month is >= 4 and <= 9)],
            [.. days.Where(day => day.Date.Month is < 4 or > 9)]);
    }

    private static float Number(string cell) => float.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>One day: its features in the order of <see cref="SeattleWeather.Features"/>, and whether it rained.</summary>
internal sealed record WeatherDay(DateOnly Date, float[] Features, bool Rain);

/// <summary>
/// Days drawn from a season in passes, each pass every day once in a new random order. Each stretch of traffic then
/// weighs every day alike, so a window, a holdout and the rows a caller counts all measure the same season rather
/// than whichever days chance repeated.
/// </summary>
internal sealed class SeasonReplay(IReadOnlyList<WeatherDay> days, Random random)
{
    private WeatherDay[] _pass = [];
    private int _next;

    public WeatherDay Next()
    {
        if (_next == _pass.Length)
        {
            _pass = [.. days];
            random.Shuffle(_pass);
            _next = 0;
        }

        return _pass[_next++];
    }
}
