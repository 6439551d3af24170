using System.Diagnostics.CodeAnalysis;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>Values steps hand to later steps (the tenant after authentication, a reservation after limits, ...).</summary>
/// <remarks>Not thread-safe: a call's steps run one after another.</remarks>
public sealed class InferenceProperties
{
    // A call carries a handful of values (tenant, lease, route, ...): a small array searched in order costs one allocation per
    // call and no hashing, where a dictionary cost two (its buckets, then a resize) on every Generate.
    private KeyValuePair<string, object?>[]? _values;
    private int _count;

    public void Set<TValue>(InferencePropertyKey<TValue> key, TValue value)
    {
        var index = IndexOf(key.Key);
        if (index >= 0)
        {
            _values![index] = new(key.Key, value);
            return;
        }

        _values ??= new KeyValuePair<string, object?>[8];
        if (_count == _values.Length)
        {
            Array.Resize(ref _values, _count * 2);
        }

        _values[_count++] = new(key.Key, value);
    }

    public bool TryGetValue<TValue>(InferencePropertyKey<TValue> key, [MaybeNullWhen(false)] out TValue value)
    {
        var index = IndexOf(key.Key);
        if (index >= 0 && _values![index].Value is TValue typed)
        {
            value = typed;
            return true;
        }

        value = default;
        return false;
    }

    private int IndexOf(string key)
    {
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_values![i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public TValue GetValue<TValue>(InferencePropertyKey<TValue> key, TValue defaultValue) =>
        TryGetValue(key, out var value) ? value : defaultValue;
}
