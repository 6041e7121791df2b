namespace MlopsAspire.ModelContracts.Tests;

/// <summary>Labels read as a binary classifier's contract says, and the errors a careless sender gets.</summary>
public sealed class FeedbackLabelsTests
{
    private static readonly MonitoringPlan Binary = MonitoringPlan.For(
        ModelContractReader.Parse("""{ "task": "binary-classification", "outputs": { "score": "p" } }"""),
        [new("x", "FP32", [-1, 3])],
        [new("p", "FP32", [-1, 1])]);

    [Fact]
    public void Binary_labels_are_read_as_numbers()
    {
        Assert.True(FeedbackLabels.TryRead(Binary, [1f, 0f], [], out var labels, out var error), error);
        Assert.Equal([1f, 0f], labels);
    }

    [Fact]
    public void The_error_of_a_one_label_item_names_no_row_and_that_of_a_longer_one_names_the_row()
    {
        Assert.False(FeedbackLabels.TryRead(Binary, [7f], [], out _, out var single));
        Assert.Equal("a binary label is 0 or 1, not 7", single);

        Assert.False(FeedbackLabels.TryRead(Binary, [1f, 7f], [], out _, out var second));
        Assert.Equal("row 1: a binary label is 0 or 1, not 7", second);
    }
}
