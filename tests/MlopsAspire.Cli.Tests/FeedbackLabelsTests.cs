namespace MlopsAspire.Cli.Tests;

public sealed class FeedbackLabelsTests
{
    [Fact]
    public void Numbers_are_sent_as_numeric_labels_and_anything_else_as_class_names()
    {
        var items = FeedbackLabels.Parse("r1=1, r2 = rain ,r3=0.25,,r4=-3e2");

        Assert.Equal(["r1", "r2", "r3", "r4"], items.Select(item => item.RequestId));
        Assert.Equal([1f], items[0].Labels);
        Assert.Empty(items[0].ClassLabels);
        Assert.Equal(["rain"], items[1].ClassLabels);
        Assert.Empty(items[1].Labels);
        Assert.Equal([0.25f], items[2].Labels);
        Assert.Equal([-300f], items[3].Labels);
    }

    [Theory]
    [InlineData("r1")]
    [InlineData("=1")]
    [InlineData("r1=")]
    public void A_pair_without_an_id_or_a_label_is_refused(string text)
    {
        var error = Assert.Throws<CliException>(() => FeedbackLabels.Parse(text));
        Assert.Equal($"'{text}' is not REQUEST_ID=LABEL (e.g. r1=1 or r1=rain).", error.Message);
    }
}
