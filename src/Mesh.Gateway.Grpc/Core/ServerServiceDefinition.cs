namespace Grpc.Core;

/// <summary>A service's methods with their handlers, built by a generated <c>BindService(TServiceBase)</c> method.</summary>
public class ServerServiceDefinition
{
    private readonly IReadOnlyList<Action<ServiceBinderBase>> _bindings;

    private ServerServiceDefinition(IReadOnlyList<Action<ServiceBinderBase>> bindings)
    {
        _bindings = bindings;
    }

    /// <summary>Creates a builder.</summary>
    public static Builder CreateBuilder() => new();

    /// <summary>Adds every method of this definition to a binder.</summary>
    public void BindService(ServiceBinderBase serviceBinder)
    {
        ArgumentNullException.ThrowIfNull(serviceBinder);
        foreach (var binding in _bindings)
        {
            binding(serviceBinder);
        }
    }

    /// <summary>Builds a <see cref="ServerServiceDefinition"/>.</summary>
#pragma warning disable CA1034 // Nested as in Grpc.Core.
    public class Builder
#pragma warning restore CA1034
    {
        private readonly List<Action<ServiceBinderBase>> _bindings = [];
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        /// <summary>Adds a unary method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
            where TRequest : class
            where TResponse : class => Add(method, b => b.AddMethod(method, handler));

        /// <summary>Adds a client-streaming method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class
            where TResponse : class => Add(method, b => b.AddMethod(method, handler));

        /// <summary>Adds a server-streaming method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class
            where TResponse : class => Add(method, b => b.AddMethod(method, handler));

        /// <summary>Adds a bidirectional-streaming method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class
            where TResponse : class => Add(method, b => b.AddMethod(method, handler));

        /// <summary>Builds the definition.</summary>
        public ServerServiceDefinition Build() => new([.. _bindings]);

        private Builder Add(IMethod method, Action<ServiceBinderBase> binding)
        {
            ArgumentNullException.ThrowIfNull(method);
            if (!_names.Add(method.FullName))
            {
                throw new ArgumentException($"A method named {method.FullName} is already registered.", nameof(method));
            }

            _bindings.Add(binding);
            return this;
        }
    }
}
