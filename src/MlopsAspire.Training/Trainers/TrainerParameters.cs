using System.Globalization;
using System.Reflection;

namespace MlopsAspire.Training.Trainers;

/// <summary>
/// Sets a trainer's options from <c>training.parameters</c> by name (case does not matter): numbers, true/false and
/// enum names. A name the options do not have, one the platform sets itself (the columns), or a value that does not
/// fit is refused with the parameter's name and what it takes.
/// </summary>
internal static class TrainerParameters
{
    // The data layout is the platform's: the rows it hands the trainer have these columns.
    private static readonly HashSet<string> SetByPlatform = new(StringComparer.OrdinalIgnoreCase)
    {
        "LabelColumnName", "FeatureColumnName", "ExampleWeightColumnName", "RowGroupColumnName", "SamplingKeyColumnName",
    };

    public static IReadOnlyList<string> Names(object options) =>
        [.. Settable(options.GetType()).Select(member => member.Name).Order(StringComparer.Ordinal)];

    public static void Apply(object options, IReadOnlyDictionary<string, string> parameters, string trainer)
    {
        var members = Settable(options.GetType()).ToDictionary(member => member.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, text) in parameters)
        {
            if (SetByPlatform.Contains(name))
            {
                throw new TrainerUnavailableException($"'training.parameters.{name}' is set by the platform, not the config");
            }

            if (!members.TryGetValue(name, out var member))
            {
                throw new TrainerUnavailableException(
                    $"'training.parameters.{name}' is not a parameter of {trainer}; its parameters are {string.Join(", ", Names(options))}");
            }

            Set(options, member, Parse(text, TypeOf(member), name));
        }
    }

    /// <summary>Sets <paramref name="name"/> when the options have it and the parameters do not.</summary>
    public static void SetUnlessGiven(object options, IReadOnlyDictionary<string, string> parameters, string name, int value)
    {
        if (parameters.Keys.Any(key => string.Equals(key, name, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        if (Settable(options.GetType()).FirstOrDefault(member => member.Name == name) is { } member)
        {
            Set(options, member, value);
        }
    }

    private static IEnumerable<MemberInfo> Settable(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Instance).Where(field => !field.IsInitOnly).Cast<MemberInfo>()
            .Concat(type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.CanWrite && property.SetMethod!.IsPublic))
            .Where(member => IsSimple(TypeOf(member)) && !SetByPlatform.Contains(member.Name));

    private static Type TypeOf(MemberInfo member) => member is FieldInfo field ? field.FieldType : ((PropertyInfo)member).PropertyType;

    private static bool IsSimple(Type type)
    {
        var core = Nullable.GetUnderlyingType(type) ?? type;
        return core.IsEnum || core == typeof(int) || core == typeof(long) || core == typeof(float) || core == typeof(double) || core == typeof(bool);
    }

    private static void Set(object options, MemberInfo member, object value)
    {
        if (member is FieldInfo field)
        {
            field.SetValue(options, value);
        }
        else
        {
            ((PropertyInfo)member).SetValue(options, value);
        }
    }

    private static object Parse(string text, Type type, string name)
    {
        var core = Nullable.GetUnderlyingType(type) ?? type;
        var culture = CultureInfo.InvariantCulture;
        object? value = core switch
        {
            _ when core.IsEnum => Enum.TryParse(core, text, ignoreCase: true, out var parsed) && Enum.IsDefined(core, parsed!) ? parsed : null,
            _ when core == typeof(int) => int.TryParse(text, NumberStyles.Integer, culture, out var number) ? number : null,
            _ when core == typeof(long) => long.TryParse(text, NumberStyles.Integer, culture, out var number) ? number : null,
            _ when core == typeof(float) => float.TryParse(text, NumberStyles.Float, culture, out var number) && float.IsFinite(number) ? number : null,
            _ when core == typeof(double) => double.TryParse(text, NumberStyles.Float, culture, out var number) && double.IsFinite(number) ? number : null,
            _ => bool.TryParse(text, out var flag) ? flag : null,
        };
        return value ?? throw new TrainerUnavailableException($"'training.parameters.{name}' must be {Describe(core)}; got '{text}'");
    }

    private static string Describe(Type type) =>
        type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}"
        : type == typeof(int) || type == typeof(long) ? "an integer"
        : type == typeof(bool) ? "true or false"
        : "a number";
}
