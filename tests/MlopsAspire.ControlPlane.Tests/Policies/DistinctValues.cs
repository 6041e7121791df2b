using System.Reflection;

namespace MlopsAspire.ControlPlane.Tests.Policies;

/// <summary>
/// Builds a policy whose every field holds a value that is neither its default nor any other field's value, so that a
/// mapping that forgets or swaps a field changes the policy it hands back.
/// </summary>
internal static class DistinctValues
{
    /// <summary>The public instance properties of <typeparamref name="T"/> by name, with their types.</summary>
    public static IReadOnlyDictionary<string, Type> Fields<T>() =>
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(property => property.Name, property => property.PropertyType);

    /// <summary>
    /// A <typeparamref name="T"/> with a distinct value in every field: through its widest constructor (a positional
    /// record), or else through its settable and init-only properties.
    /// </summary>
    /// <param name="nullOptional">Leaves nullable fields null instead.</param>
    public static T Of<T>(bool nullOptional = false)
    {
        var constructor = typeof(T).GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var parameters = constructor.GetParameters();
        if (parameters.Length > 0)
        {
            return (T)constructor.Invoke([.. parameters.Select((parameter, index) => ValueOf(parameter.ParameterType, index, nullOptional))]);
        }

        var policy = (T)constructor.Invoke([]);
        var index = 0;
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            property.SetValue(policy, ValueOf(property.PropertyType, index++, nullOptional));
        }

        return policy;
    }

    private static object? ValueOf(Type type, int index, bool nullOptional)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return nullOptional ? null : ValueOf(inner, index, nullOptional);
        }

        // Clear of every default (counts 200-2000, rates 0.01-1.5, durations 0-60 minutes) and valid for every policy.
        return type switch
        {
            _ when type == typeof(long) => 1_007L + index,
            _ when type == typeof(int) => 307 + index,
            _ when type == typeof(double) => 0.503 + (index / 100.0),
            _ when type == typeof(bool) => true,
            _ when type == typeof(TimeSpan) => TimeSpan.FromMinutes(3 + index),
            _ => throw new NotSupportedException($"no distinct value for a policy field of type {type}; add one here"),
        };
    }
}
