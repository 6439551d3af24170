using System.Diagnostics.CodeAnalysis;

namespace Mesh.Gateway.Core.Providers;

/// <summary>Either a value or a <see cref="ProviderError"/> (like Polly's Outcome).</summary>
public readonly struct ProviderResult<T>
    where T : class
{
    private ProviderResult(T? value, ProviderError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ProviderError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

#pragma warning disable CA1000 // Factory methods on the result type, as Polly's Outcome<T> has.
    public static ProviderResult<T> Success(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, null);
    }

    public static ProviderResult<T> Failure(ProviderError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(null, error);
    }
#pragma warning restore CA1000

#pragma warning disable CA2225 // Success/Failure are the named alternates.
    public static implicit operator ProviderResult<T>(T value) => Success(value);

    public static implicit operator ProviderResult<T>(ProviderError error) => Failure(error);
#pragma warning restore CA2225
}
