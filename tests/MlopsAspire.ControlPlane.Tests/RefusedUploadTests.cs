using Google.Protobuf;
using Grpc.Core;
using Mlops.V1;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>
/// A plain gRPC client that keeps writing its upload after the server refused it, and reads the answer only once a
/// write fails: the refusal ends its writing (the server resets the request stream when it answers without reading it
/// all) instead of leaving a write waiting for flow-control credit that never comes.
/// </summary>
public sealed class RefusedUploadTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    /// <summary>Far more than the HTTP/2 windows a server and a client hold open between them, and far over the size limit.</summary>
    private const long BytesOffered = 1024L * 1024 * 1024;

    [Theory]
    [InlineData(1000)]
    [InlineData(64 * 1024)]
    [InlineData(1024 * 1024)]
    public async Task A_client_that_declares_too_large_an_upload_and_keeps_writing_has_a_write_fail_and_reads_the_refusal(int chunkBytes)
    {
        var metadata = Uploads.Metadata(ControlPlaneHost.UniqueModelName(), [], size: ControlPlaneHost.MaxArtifactBytes * 1024);

        var refusal = await KeepWritingAsync(metadata, chunkBytes);

        Assert.Equal(StatusCode.ResourceExhausted, refusal.StatusCode);
        Assert.Contains("Management:MaxArtifactBytes", refusal.Status.Detail);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(64 * 1024)]
    [InlineData(1024 * 1024)]
    public async Task A_client_that_keeps_writing_past_the_size_it_declared_has_a_write_fail_and_reads_the_refusal(int chunkBytes)
    {
        var metadata = Uploads.Metadata(ControlPlaneHost.UniqueModelName(), [], size: 1000);

        var refusal = await KeepWritingAsync(metadata, chunkBytes);

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        Assert.Contains("more than the declared size of 1000 bytes", refusal.Status.Detail);
    }

    /// <summary>
    /// Writes the metadata, then chunks until a write fails, then reads the answer. A write left waiting for credit
    /// would wait forever; the generous cancellation only turns that wait into a failure that says so.
    /// </summary>
    private async Task<RpcException> KeepWritingAsync(RegisterModelMetadata metadata, int chunkBytes)
    {
        using var stuck = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var call = host.Client(ControlPlaneHost.OperatorKey).RegisterModel();
        var chunk = new RegisterModelRequest { Chunk = ByteString.CopyFrom(new byte[chunkBytes]) };
        long written = 0;
        try
        {
            await call.RequestStream.WriteAsync(new RegisterModelRequest { Metadata = metadata }, stuck.Token);
            for (; written < BytesOffered; written += chunkBytes)
            {
                await call.RequestStream.WriteAsync(chunk, stuck.Token);
            }

            Assert.Fail($"All {BytesOffered} bytes were written although the upload was refused.");
        }
        catch (OperationCanceledException) when (stuck.IsCancellationRequested)
        {
            Assert.Fail($"A write still waited two minutes after {written} bytes: the refused upload left the client waiting for flow-control credit.");
        }
        catch (RpcException)
        {
            // The refusal itself, or Cancelled when the reset stream cut short a write waiting for credit: either way
            // the client stops writing, and the answer says why.
        }

        return await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(stuck.Token));
    }
}
