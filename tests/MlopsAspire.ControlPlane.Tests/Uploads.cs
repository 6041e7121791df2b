using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Mlops.V1;

namespace MlopsAspire.ControlPlane.Tests;

internal static class Uploads
{
    public static RegisterModelMetadata Metadata(string name, byte[] content, string? sha256 = null, long? size = null) => new()
    {
        Name = name,
        Description = "test upload",
        Owner = "ml-team",
        Sha256 = sha256 ?? Convert.ToHexStringLower(SHA256.HashData(content)),
        Size = size ?? content.Length,
    };

    /// <summary>Sends the metadata, then the content in chunks, and returns the server's answer.</summary>
    public static async Task<RegisterModelResponse> RegisterAsync(
        this ModelManagement.ModelManagementClient client, RegisterModelMetadata metadata, byte[] content, int chunkSize = 1000)
    {
        using var call = client.RegisterModel();
        try
        {
            await call.RequestStream.WriteAsync(new RegisterModelRequest { Metadata = metadata });
            for (var offset = 0; offset < content.Length; offset += chunkSize)
            {
                var chunk = ByteString.CopyFrom(content, offset, Math.Min(chunkSize, content.Length - offset));
                await call.RequestStream.WriteAsync(new RegisterModelRequest { Chunk = chunk });
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException)
        {
            // The server refused the upload before it was all sent; its status below says why.
        }

        return await call.ResponseAsync;
    }

    public static Task<RegisterModelResponse> RegisterAsync(this ModelManagement.ModelManagementClient client, string name, byte[] content) =>
        client.RegisterAsync(Metadata(name, content), content);
}
