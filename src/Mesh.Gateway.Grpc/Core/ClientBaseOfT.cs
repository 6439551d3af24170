namespace Grpc.Core;

/// <summary>The generic base of generated clients.</summary>
public abstract class ClientBase<T> : ClientBase
    where T : ClientBase<T>
{
    /// <summary>Creates a client with no channel (for mocking).</summary>
    protected ClientBase()
    {
    }

    /// <summary>Creates a client from a configuration.</summary>
    protected ClientBase(ClientBaseConfiguration configuration)
        : base(configuration)
    {
    }

    /// <summary>Creates a client over a channel.</summary>
    protected ClientBase(ChannelBase channel)
        : base(channel)
    {
    }

    /// <summary>Creates a client over a call invoker.</summary>
    protected ClientBase(CallInvoker callInvoker)
        : base(callInvoker)
    {
    }

    /// <summary>Returns a copy of this client that sends another host (<c>:authority</c>).</summary>
    public T WithHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return NewInstance(new ClientBaseConfiguration(Configuration.CallInvoker, host));
    }

    /// <summary>Creates a new client instance from a configuration (implemented by generated code).</summary>
    protected abstract T NewInstance(ClientBaseConfiguration configuration);
}
