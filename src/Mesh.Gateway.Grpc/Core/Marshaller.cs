namespace Grpc.Core;

/// <summary>Serializes and deserializes messages of one type.</summary>
public class Marshaller<T>
{
    /// <summary>Creates a marshaller from array-based functions.</summary>
    public Marshaller(Func<T, byte[]> serializer, Func<byte[], T> deserializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(deserializer);
        Serializer = serializer;
        Deserializer = deserializer;
        ContextualSerializer = (value, context) => context.Complete(serializer(value));
        ContextualDeserializer = context => deserializer(context.PayloadAsNewBuffer());
    }

    /// <summary>Creates a marshaller from context-based functions (the zero-copy path).</summary>
    public Marshaller(Action<T, SerializationContext> serializer, Func<DeserializationContext, T> deserializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(deserializer);
        ContextualSerializer = serializer;
        ContextualDeserializer = deserializer;
        Serializer = value =>
        {
            var context = new Mesh.Gateway.Grpc.Internal.ArraySerializationContext();
            serializer(value, context);
            return context.GetPayload();
        };
        Deserializer = payload => deserializer(new Mesh.Gateway.Grpc.Internal.ArrayDeserializationContext(payload));
    }

    /// <summary>Gets the array-based serializer.</summary>
    public Func<T, byte[]> Serializer { get; }

    /// <summary>Gets the array-based deserializer.</summary>
    public Func<byte[], T> Deserializer { get; }

    /// <summary>Gets the context-based serializer.</summary>
    public Action<T, SerializationContext> ContextualSerializer { get; }

    /// <summary>Gets the context-based deserializer.</summary>
    public Func<DeserializationContext, T> ContextualDeserializer { get; }
}
