using System.Globalization;
using Mlops.V1;

namespace MlopsAspire.Cli;

/// <summary>
/// <c>--labels</c> of <c>mlops models feedback</c>: REQUEST_ID=LABEL pairs separated by commas. A number is sent as a
/// numeric label (0/1, a class index, a regression target), anything else as a class name; the model's contract says
/// how the server reads them.
/// </summary>
internal static class FeedbackLabels
{
    public static List<FeedbackItem> Parse(string text)
    {
        var items = new List<FeedbackItem>();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new CliException($"'{pair}' is not REQUEST_ID=LABEL (e.g. r1=1 or r1=rain).");
            }

            var item = new FeedbackItem { RequestId = parts[0] };
            if (float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var label))
            {
                item.Labels.Add(label);
            }
            else
            {
                item.ClassLabels.Add(parts[1]);
            }

            items.Add(item);
        }

        return items;
    }
}
