using Microsoft.ML;
using Microsoft.ML.Data;
using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Tabular;

namespace MlopsAspire.Training.Trainers;

/// <summary>
/// How labelled rows look to ML.NET: a "Features" vector of the input's width and a "Label" of the task's type
/// (bool, a key of the class count, or float). The width and class count are known only at run time, so the row
/// types are described by schema definitions rather than attributes.
/// </summary>
internal sealed class TabularSchema
{
    public const string FeaturesColumn = "Features";
    public const string LabelColumn = "Label";

    private TabularSchema(ModelTask task, int featureCount, int classCount, SchemaDefinition labelled, SchemaDefinition featuresOnly)
    {
        Task = task;
        FeatureCount = featureCount;
        ClassCount = classCount;
        Labelled = labelled;
        FeaturesOnly = featuresOnly;
    }

    public ModelTask Task { get; }

    public int FeatureCount { get; }

    public int ClassCount { get; }

    public SchemaDefinition Labelled { get; }

    /// <summary>The schema the ONNX export and predictions use: a features-only input.</summary>
    public SchemaDefinition FeaturesOnly { get; }

    public static TabularSchema For(ModelTask task, int featureCount, int classCount)
    {
        var vector = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        var labelled = SchemaDefinition.Create(task switch
        {
            ModelTask.BinaryClassification => typeof(BinaryRow),
            ModelTask.MulticlassClassification => typeof(MulticlassRow),
            ModelTask.Regression => typeof(RegressionRow),
            _ => throw new TrainingFailedException($"the built-in trainers cannot train task {task}"),
        });
        labelled[FeaturesColumn].ColumnType = vector;
        if (task == ModelTask.MulticlassClassification)
        {
            if (classCount < 2)
            {
                throw new TrainingFailedException($"multiclass training needs at least 2 classes; the contract gives {classCount}");
            }

            // Rows give the class index as the key (the loader maps it to ML.NET's 1-based key values): score slot i is class i.
            labelled[LabelColumn].ColumnType = new KeyDataViewType(typeof(uint), classCount);
        }

        var featuresOnly = SchemaDefinition.Create(typeof(FeatureRow));
        featuresOnly[FeaturesColumn].ColumnType = vector;
        return new TabularSchema(task, featureCount, classCount, labelled, featuresOnly);
    }

    public static System.Collections.IEnumerable Rows(ModelTask task, LabelledRows rows) => task switch
    {
        ModelTask.BinaryClassification => Enumerable.Range(0, rows.Count).Select(i => new BinaryRow { Features = rows.Row(i).ToArray(), Label = rows.Labels[i] >= 0.5f }),
        ModelTask.MulticlassClassification => Enumerable.Range(0, rows.Count).Select(i => new MulticlassRow { Features = rows.Row(i).ToArray(), Label = (uint)rows.Labels[i] }),
        _ => Enumerable.Range(0, rows.Count).Select(i => new RegressionRow { Features = rows.Row(i).ToArray(), Label = rows.Labels[i] }),
    };

    public IDataView Load(MLContext context, LabelledRows rows) => Task switch
    {
        ModelTask.BinaryClassification => context.Data.LoadFromEnumerable(Rows(Task, rows).Cast<BinaryRow>(), Labelled),
        ModelTask.MulticlassClassification => context.Data.LoadFromEnumerable(Rows(Task, rows).Cast<MulticlassRow>(), Labelled),
        _ => context.Data.LoadFromEnumerable(Rows(Task, rows).Cast<RegressionRow>(), Labelled),
    };

    public IDataView LoadFeatures(MLContext context, float[] features, int rowCount) =>
        context.Data.LoadFromEnumerable(
            Enumerable.Range(0, rowCount).Select(i => new FeatureRow { Features = features.AsSpan(i * FeatureCount, FeatureCount).ToArray() }),
            FeaturesOnly);

    internal sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }

    internal sealed class BinaryRow
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    internal sealed class MulticlassRow
    {
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }

    internal sealed class RegressionRow
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }
}
