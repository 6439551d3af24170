using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Core.Composition.Schema;

/// <summary>Derives the shape the configuration binder gives a type, from its public properties.</summary>
/// <remarks>
/// Reflection, as the binder itself uses (it reads the same properties); runs once at start. The nested types are reached
/// through property types, which trimming cannot see: when the binder moves to its source generator (for Native AOT), the
/// derived schemas move with it, and <c>ConfigurationReferenceTests</c> keeps them equal.
/// </remarks>
[UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Option types are bound by the reflection binder too; see remarks.")]
[UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Option types are bound by the reflection binder too; see remarks.")]
[UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Option types are bound by the reflection binder too; see remarks.")]
internal static class ConfigurationSchemaReflector
{
    public static ConfigurationNode Of(Type type) => Of(type, depth: 0);

    /// <summary>The <c>SectionName</c> constant of an options type, or null.</summary>
    public static string? SectionNameOf([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] Type type) =>
        type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
            ? field.GetRawConstantValue() as string
            : null;

    private static ConfigurationNode Of(Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (ScalarName(type) is { } scalar)
        {
            return ConfigurationNode.Value(scalar);
        }

        if (depth > 16)
        {
            return ConfigurationNode.Any;
        }

        if (DictionaryValue(type) is { } value)
        {
            return ConfigurationNode.Map(Of(value, depth + 1));
        }

        if (ListItem(type) is { } item)
        {
            return ConfigurationNode.List(Of(item, depth + 1));
        }

        var defaults = TryCreate(type);
        var keys = new List<ConfigurationKey>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
            {
                continue;
            }

            var name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name.ToLowerInvariant();
            keys.Add(new ConfigurationKey(name, Of(property.PropertyType, depth + 1))
            {
                Default = defaults is null ? null : DefaultText(property.GetValue(defaults)),
                Property = property,
            });
        }

        return new ConfigurationObjectNode(keys);
    }

    private static string? ScalarName(Type type)
    {
        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type).Select(static n => n.ToLowerInvariant()));
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.String or TypeCode.Char => "string",
            TypeCode.Boolean => "boolean",
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32
                or TypeCode.Int64 or TypeCode.UInt64 => "integer",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "number",
            TypeCode.DateTime => "date-time",
            _ when type == typeof(Uri) => "url",
            _ when type == typeof(TimeSpan) => "duration",
            _ when type == typeof(Guid) || type == typeof(DateTimeOffset) => "string",
            _ when type == typeof(object) => "any",
            _ => null,
        };
    }

    private static Type? DictionaryValue(Type type)
    {
        foreach (var candidate in (Type[])[type, .. type.GetInterfaces()])
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() is var definition
                && (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(Dictionary<,>)))
            {
                return candidate.GetGenericArguments()[1];
            }
        }

        return null;
    }

    private static Type? ListItem(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        foreach (var candidate in (Type[])[type, .. type.GetInterfaces()])
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                return candidate.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static object? TryCreate(Type type)
    {
        if (type.IsAbstract || type.IsInterface || type.GetConstructor(Type.EmptyTypes) is null)
        {
            return null;
        }

        try
        {
            return Activator.CreateInstance(type);
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }

    private static string? DefaultText(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        string { Length: 0 } => null,
        string s => s,
        Enum e => e.ToString().ToLowerInvariant(),
        IFormattable f when value.GetType().IsPrimitive || value is decimal => f.ToString(null, CultureInfo.InvariantCulture),
        Uri u => u.ToString(),
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IEnumerable => null,
        _ => null,
    };
}
