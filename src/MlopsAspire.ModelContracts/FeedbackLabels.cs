using System.Globalization;

namespace MlopsAspire.ModelContracts;

/// <summary>
/// Reads the ground-truth labels of one feedback item as the model's contract says (<see cref="MonitoringPlan.Labels"/>)
/// into one number per row: 0 or 1 for a binary classifier, a class index for a multiclass one, the true value for a
/// regression. That number is what the payload log keeps and what monitoring and retraining compare predictions with.
/// </summary>
public static class FeedbackLabels
{
    /// <summary>
    /// The labels as numbers, or an error naming what is wrong with them. <paramref name="values"/> are numeric labels,
    /// <paramref name="names"/> class names; an item carries one or the other.
    /// </summary>
    public static bool TryRead(MonitoringPlan plan, IReadOnlyList<float> values, IReadOnlyList<string> names, out float[] labels, out string? error)
    {
        ArgumentNullException.ThrowIfNull(plan);
        labels = [];
        error = null;
        if (values.Count > 0 && names.Count > 0)
        {
            error = "carries both numeric labels and class names; send one or the other";
            return false;
        }

        var encoding = plan.Labels;
        if (names.Count > 0)
        {
            if (plan.Classes.Count == 0)
            {
                error = "carries class names, but the model's config names no classes ('outputs.classes')";
                return false;
            }

            labels = new float[names.Count];
            for (var row = 0; row < names.Count; row++)
            {
                var index = IndexOf(plan.Classes, names[row]);
                if (index < 0)
                {
                    error = $"{Row(row, names.Count)}'{Shorten(names[row])}' is not one of the classes ({string.Join(", ", plan.Classes)})";
                    return false;
                }

                labels[row] = index;
            }

            return true;
        }

        if (encoding == LabelEncoding.ClassName)
        {
            error = $"the model reads labels as class names ({string.Join(", ", plan.Classes)}): send them as class_labels";
            return false;
        }

        labels = new float[values.Count];
        for (var row = 0; row < values.Count; row++)
        {
            var value = values[row];
            if (!float.IsFinite(value))
            {
                error = $"{Row(row, values.Count)}the label {value.ToString(CultureInfo.InvariantCulture)} is not a finite number";
                return false;
            }

            switch (encoding)
            {
                case LabelEncoding.Binary when value is not (0 or 1):
                    error = $"{Row(row, values.Count)}a binary label is 0 or 1, not {value.ToString(CultureInfo.InvariantCulture)}";
                    return false;
                case LabelEncoding.ClassIndex when value < 0 || value != MathF.Floor(value) || (plan.ClassCount is { } classes && value >= classes):
                    error = $"{Row(row, values.Count)}a class index is a whole number from 0 to {(plan.ClassCount is { } count ? (count - 1).ToString(CultureInfo.InvariantCulture) : "the number of classes - 1")}, not {value.ToString(CultureInfo.InvariantCulture)}";
                    return false;
            }

            labels[row] = value;
        }

        return true;
    }

    /// <summary>Which row an error is about, when the item has more than one: one-row items (most) need no number.</summary>
    private static string Row(int row, int rows) => rows > 1 ? string.Create(CultureInfo.InvariantCulture, $"row {row}: ") : string.Empty;

    private static int IndexOf(IReadOnlyList<string> classes, string name)
    {
        for (var i = 0; i < classes.Count; i++)
        {
            if (string.Equals(classes[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
