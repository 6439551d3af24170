namespace Mesh.Gateway.Core.Pipeline;

/// <summary>A typed key into <see cref="InferenceProperties"/> (like Polly's <c>ResiliencePropertyKey&lt;T&gt;</c>).</summary>
/// <typeparam name="TValue">The type of the value stored under the key.</typeparam>
/// <param name="Key">The key's name; keys with the same name and type are equal.</param>
public readonly record struct InferencePropertyKey<TValue>(string Key)
{
    public override string ToString() => Key;
}
