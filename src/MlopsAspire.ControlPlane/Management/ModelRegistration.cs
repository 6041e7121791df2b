using System.Globalization;
using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Mlops.V1;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using ModelSignature = MlopsAspire.Abstractions.ModelSignature;
using ModelVersionState = MlopsAspire.Abstractions.ModelVersionState;
using MlopsAspire.Artifacts;
using MlopsAspire.ControlPlane.Validation;
using MlopsAspire.Grains.Contracts;
using MlopsAspire.ModelContracts;
using MlopsAspire.Serving.Configuration;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// Registers an uploaded artifact as a model version. Everything that can reject the upload (size limit, declared
/// size, config document, SHA-256, the validation sandbox loading it within its limits, declared signature, the
/// config fitting the artifact) is checked before anything is stored, so a rejected upload leaves neither an artifact
/// nor a version behind. A version whose model loads but whose smoke inference fails is registered and marked Failed,
/// with the report saying why.
/// </summary>
public sealed partial class ModelRegistration(
    IGrainFactory grains,
    ArtifactStore artifacts,
    ArtifactValidator validator,
    IOptions<ManagementOptions> options,
    ILogger<ModelRegistration> logger)
{
    /// <summary>How long a pin outlives an upload whose control plane died: far longer than registering takes.</summary>
    private static readonly TimeSpan ArtifactPinDuration = TimeSpan.FromMinutes(10);

    /// <summary>Largest config document accepted: a contract naming thousands of features fits many times over.</summary>
    public const int MaxConfigCharacters = 256 * 1024;

    public async Task<RegisterModelResponse> RegisterAsync(
        IAsyncStreamReader<RegisterModelRequest> upload, ApiKeyIdentity caller, CancellationToken cancellationToken)
    {
        if (!await upload.MoveNext(cancellationToken) || upload.Current.ContentCase != RegisterModelRequest.ContentOneofCase.Metadata)
        {
            throw Invalid("The first message of RegisterModel must carry the metadata (name, size, ...); the artifact's bytes follow it.");
        }

        var metadata = upload.Current.Metadata;
        var expectedSha256 = CheckMetadata(metadata);
        // Replicas load each version with its config, so one they could not read is refused before the upload is read.
        var configuration = ReadConfig(metadata.ServingConfigJson);
        var model = grains.GetGrain<IModelGrain>(metadata.Name);
        ModelLineage? lineage;
        try
        {
            lineage = ProtoMapping.FromProto(metadata.Lineage);
        }
        catch (ArgumentException exception)
        {
            throw Invalid($"The lineage's reference profile is malformed: {exception.Message}. Nothing was registered.");
        }

        if (lineage?.ParentVersion is { } parent)
        {
            // Fails with NotFound naming the model or version before the upload is read.
            await model.GetVersionAsync(parent);
        }

        var content = await ReceiveAsync(upload, metadata.Size, cancellationToken);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        if (expectedSha256 is not null && expectedSha256 != sha256)
        {
            throw Invalid($"The uploaded artifact hashes to SHA-256 {sha256}, but {expectedSha256} was declared; nothing was registered. Check that the right file was sent in full.");
        }

        var config = string.IsNullOrWhiteSpace(metadata.ServingConfigJson) ? null : metadata.ServingConfigJson;
        var check = await validator.CheckAsync(metadata.Name, content, config, cancellationToken);
        switch (check.Refusal)
        {
            case ArtifactRefusal.None:
                break;
            case ArtifactRefusal.OverLimit:
                throw new RpcException(new Status(StatusCode.ResourceExhausted, check.Report.Detail));
            default:
                throw Invalid(check.Report.Detail);
        }

        var declared = ProtoMapping.FromProto(metadata.DeclaredSignature);
        var actual = new ModelSignature(check.Report.Inputs, check.Report.Outputs);
        if (declared is not null && !declared.Equals(actual))
        {
            throw Invalid($"The declared signature ({declared}) does not match the artifact's ({actual}); nothing was registered.");
        }

        CheckConfigFits(configuration, actual);
        var alreadyRegistered = await model.ExistsAsync()
            && (await model.GetAsync()).Versions.FirstOrDefault(v => v.ArtifactSha256 == sha256) is not null;
        // Pinned before looking, so retiring another version that shares these bytes cannot delete them between our
        // check and the new version's registration (after which the version itself keeps them alive).
        await using var pin = await artifacts.PinAsync(sha256, ArtifactPinDuration, cancellationToken);
        var storedBefore = await artifacts.GetDescriptorAsync(sha256, cancellationToken) is not null;
        await artifacts.PutAsync(content, cancellationToken);

        ModelVersionInfo version;
        try
        {
            version = await model.RegisterVersionAsync(new RegisterVersionRequest(
                sha256,
                content.Length,
                string.IsNullOrWhiteSpace(metadata.Framework) ? "onnx" : metadata.Framework,
                metadata.Description,
                caller.Name,
                new Dictionary<string, double>(metadata.OfflineMetrics),
                config,
                string.IsNullOrWhiteSpace(metadata.Owner) ? caller.Name : metadata.Owner,
                declared ?? actual,
                lineage));
        }
        catch when (!storedBefore)
        {
            // The artifact was stored for this registration only; do not leave it behind (unless another upload pins it).
            await pin.DisposeAsync();
            await artifacts.DeleteAsync(sha256, CancellationToken.None);
            throw;
        }

        if (version.State == ModelVersionState.Registered)
        {
            version = await model.BeginValidationAsync(version.Version, caller.Name);
        }

        if (version.State == ModelVersionState.Validating)
        {
            version = await model.RecordValidationAsync(version.Version, check.Report, caller.Name);
        }

        if (!alreadyRegistered && lineage?.Reference is { } reference)
        {
            // Drift is measured against the training distribution from the first request on.
            await grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(metadata.Name, version.Version)).SetReferenceProfile(reference);
        }

        LogRegistered(metadata.Name, version.Version, sha256, content.Length, version.State, caller.Name);
        return new RegisterModelResponse { Version = version.ToProto(), Created = !alreadyRegistered };
    }

    private string? CheckMetadata(RegisterModelMetadata metadata)
    {
        if (!ModelNames.IsValid(metadata.Name))
        {
            throw Invalid($"Model name '{metadata.Name}' is not valid: 1-{ModelNames.MaxLength} letters, digits, '-', '_' or '.', starting with a letter or digit.");
        }

        var limit = options.Value.MaxArtifactBytes;
        if (metadata.Size <= 0)
        {
            throw Invalid("The metadata must give the artifact's size in bytes (size > 0).");
        }

        if (metadata.Size > limit)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"The artifact is {metadata.Size.ToString(CultureInfo.InvariantCulture)} bytes; this control plane accepts at most {limit.ToString(CultureInfo.InvariantCulture)} bytes (Management:MaxArtifactBytes). Nothing was registered."));
        }

        if (string.IsNullOrEmpty(metadata.Sha256))
        {
            return null;
        }

        if (metadata.Sha256.Length != 64 || !metadata.Sha256.All(char.IsAsciiHexDigit))
        {
            throw Invalid($"sha256 must be 64 hexadecimal characters, got '{metadata.Sha256}'.");
        }

        return metadata.Sha256.ToLowerInvariant();
    }

    /// <summary>The version's config document, refused with the key at fault when it is not one (unknown keys, wrong values); null when none.</summary>
    private static ModelConfiguration? ReadConfig(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        if (json.Length > MaxConfigCharacters)
        {
            throw Invalid($"The config document is {json.Length} characters; at most {MaxConfigCharacters} are accepted. Nothing was registered.");
        }

        try
        {
            return ModelConfigurationParser.Parse(json, "config");
        }
        catch (ModelConfigurationException exception)
        {
            throw RefusedConfig(exception);
        }
    }

    /// <summary>Refuses a config that does not fit the artifact (a named input or output it does not have, features that do not match its width).</summary>
    private static void CheckConfigFits(ModelConfiguration? configuration, ModelSignature signature)
    {
        if (configuration is null)
        {
            return;
        }

        try
        {
            ModelContractCheck.Against(configuration.Contract, VersionContracts.Describe(signature.Inputs), VersionContracts.Describe(signature.Outputs));
        }
        catch (ModelContractException exception)
        {
            throw RefusedConfig(exception);
        }
    }

    private static RpcException RefusedConfig(Exception exception) => Invalid($"The config is refused: {exception.Message}. Nothing was registered.");

    /// <summary>Reads the chunks into one buffer of exactly the declared size.</summary>
    private static async Task<byte[]> ReceiveAsync(IAsyncStreamReader<RegisterModelRequest> upload, long declaredSize, CancellationToken cancellationToken)
    {
        var content = new byte[declaredSize];
        long received = 0;
        while (await upload.MoveNext(cancellationToken))
        {
            if (upload.Current.ContentCase != RegisterModelRequest.ContentOneofCase.Chunk)
            {
                throw Invalid("Only the first message of RegisterModel may carry metadata; the rest must be chunks of the artifact.");
            }

            var chunk = upload.Current.Chunk.Span;
            if (received + chunk.Length > declaredSize)
            {
                throw Invalid($"The upload sent more than the declared size of {declaredSize} bytes; nothing was registered.");
            }

            chunk.CopyTo(content.AsSpan((int)received));
            received += chunk.Length;
        }

        if (received < declaredSize)
        {
            throw Invalid($"The upload is truncated: {received} of the declared {declaredSize} bytes arrived; nothing was registered.");
        }

        return content;
    }

    private static RpcException Invalid(string detail) => new(new Status(StatusCode.InvalidArgument, detail));

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} version {Version} registered from upload (sha256 {Sha256}, {Size} bytes): {State}, by {Actor}")]
    private partial void LogRegistered(string model, string version, string sha256, long size, ModelVersionState state, string actor);
}
