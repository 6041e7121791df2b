using Newtonsoft.Json;
using Newtonsoft.Json.Converters;
using Newtonsoft.Json.Serialization;
using Orleans.Serialization;
using Orleans.Storage;

namespace MlopsAspire.Grains.Storage;

/// <summary>
/// Writes grain state as JSON shaped by the declared types alone, with no type names and no reference ids.
/// <para>
/// Orleans' default JSON storage serializer records each object's and collection's runtime type (<c>$type</c>)
/// and refuses, on read, any type it was not told about. A collection expression assigned to an
/// <c>IReadOnlyList</c> member has a compiler-generated runtime type, so such state was written and then could
/// never be read back: after a restart the grain could not activate. Persisted state here is plain data (records,
/// lists, dictionaries; no polymorphic members), so the declared types say everything needed to read it, and
/// interface-typed collections come back as lists and dictionaries.
/// </para>
/// <para>
/// State written the old way still reads: type names and reference ids in it are skipped or resolved, not
/// required, so a store written by an earlier build loads and is rewritten in this form on the next write.
/// </para>
/// </summary>
public sealed class GrainStateJsonSerializer : IGrainStorageSerializer
{
    private readonly JsonSerializerSettings _settings;

    /// <param name="services">The silo's services: Orleans' JSON converters (grain ids, references) need them.</param>
    public GrainStateJsonSerializer(IServiceProvider services)
    {
        _settings = OrleansJsonSerializerSettings.GetDefaultSerializerSettings(services);
        _settings.TypeNameHandling = TypeNameHandling.None;
        _settings.PreserveReferencesHandling = PreserveReferencesHandling.None;
        // Enums by name ("feature_drift", "production"): readable, and safe when members are added or reordered.
        // Numbers written by earlier builds still read.
        _settings.Converters.Add(new StringEnumConverter(new SnakeCaseNamingStrategy()));
    }

    public BinaryData Serialize<T>(T? input) => BinaryData.FromString(JsonConvert.SerializeObject(input, typeof(T), _settings));

    public T? Deserialize<T>(BinaryData input) => JsonConvert.DeserializeObject<T>(input.ToString(), _settings);
}
