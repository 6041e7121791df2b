namespace MlopsAspire.Serving.Tests;

public sealed class TensorBuffersTests
{
    [Fact]
    public void A_buffer_within_the_pooled_size_goes_back_to_the_pool_and_is_handed_out_again()
    {
        var first = TensorBuffers.Rent(602_112);
        TensorBuffers.Return(first);

        var second = TensorBuffers.Rent(602_112);
        TensorBuffers.Return(second);

        Assert.Same(first, second);
    }

    [Fact]
    public void A_buffer_over_the_pooled_size_is_its_users_alone_and_is_left_to_the_collector()
    {
        const int length = TensorBuffers.MostPooledBytes + 1;
        var first = TensorBuffers.Rent(length);
        TensorBuffers.Return(first);

        var second = TensorBuffers.Rent(length);

        Assert.Equal(length, first.Length);
        Assert.NotSame(first, second);
    }
}
