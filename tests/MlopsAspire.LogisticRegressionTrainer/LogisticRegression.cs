namespace MlopsAspire.LogisticRegressionTrainer;

/// <summary>A logistic regression p = σ(w·x + b), fitted by full-batch gradient descent on standardized features.</summary>
public sealed record LogisticRegression(double[] Weights, double Bias)
{
    public static LogisticRegression Fit(double[][] features, double[] labels, int iterations, double learningRate)
    {
        if (features.Length == 0)
        {
            throw new UsageException("no rows to train on");
        }

        var width = features[0].Length;
        var mean = new double[width];
        var deviation = new double[width];
        for (var j = 0; j < width; j++)
        {
            mean[j] = features.Average(row => row[j]);
            deviation[j] = Math.Sqrt(features.Average(row => (row[j] - mean[j]) * (row[j] - mean[j])));
            deviation[j] = deviation[j] > 0 ? deviation[j] : 1;
        }

        var weights = new double[width];
        var bias = 0.0;
        var gradient = new double[width];
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            Array.Clear(gradient);
            var biasGradient = 0.0;
            for (var i = 0; i < features.Length; i++)
            {
                var z = bias;
                for (var j = 0; j < width; j++)
                {
                    z += weights[j] * (features[i][j] - mean[j]) / deviation[j];
                }

                var error = 1 / (1 + Math.Exp(-z)) - labels[i];
                for (var j = 0; j < width; j++)
                {
                    gradient[j] += error * (features[i][j] - mean[j]) / deviation[j];
                }

                biasGradient += error;
            }

            for (var j = 0; j < width; j++)
            {
                weights[j] -= learningRate * gradient[j] / features.Length;
            }

            bias -= learningRate * biasGradient / features.Length;
        }

        // Fold the standardization into the weights, so the model takes raw features.
        var raw = new double[width];
        var rawBias = bias;
        for (var j = 0; j < width; j++)
        {
            raw[j] = weights[j] / deviation[j];
            rawBias -= weights[j] * mean[j] / deviation[j];
        }

        return new LogisticRegression(raw, rawBias);
    }

    /// <summary>The probability this model gives one row of raw features.</summary>
    public double Predict(IReadOnlyList<float> features)
    {
        var margin = Bias;
        for (var j = 0; j < Weights.Length; j++)
        {
            margin += Weights[j] * features[j];
        }

        return 1 / (1 + Math.Exp(-margin));
    }
}
