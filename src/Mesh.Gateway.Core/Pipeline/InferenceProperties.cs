using System.Diagnostics.CodeAnalysis;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>Values steps hand to later steps (the tenant after authentication, a reservation after limits, ...).</summary>
/// <remarks>Not thread-safe: a call's steps run one after another.</remarks>
public sealed class InferenceProperties
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    public void Set<TValue>(InferencePropertyKey<TValue> key, TValue value) => _values[key.Key] = value;

    public bool TryGetValue<TValue>(InferencePropertyKey<TValue> key, [MaybeNullWhen(false)] out TValue value)
    {
        if (_values.TryGetValue(key.Key, out var stored) && stored is TValue typed)
        {
            value = typed;
            return true;
        }

        value = default;
        return false;
    }

    public TValue GetValue<TValue>(InferencePropertyKey<TValue> key, TValue defaultValue) =>
        TryGetValue(key, out var value) ? value : defaultValue;
}
