namespace Grpc.Core;

/// <summary>The base of generated clients.</summary>
public abstract class ClientBase
{
    /// <summary>Creates a client with no channel (for mocking).</summary>
    protected ClientBase()
        : this(new Mesh.Gateway.Grpc.Internal.UnimplementedCallInvoker())
    {
    }

    /// <summary>Creates a client from a configuration.</summary>
    protected ClientBase(ClientBaseConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Configuration = configuration;
        CallInvoker = configuration.CallInvoker;
    }

    /// <summary>Creates a client over a channel.</summary>
    protected ClientBase(ChannelBase channel)
        : this(CreateInvoker(channel))
    {
    }

    /// <summary>Creates a client over a call invoker.</summary>
    protected ClientBase(CallInvoker callInvoker)
        : this(new ClientBaseConfiguration(callInvoker, null))
    {
    }

    /// <summary>Gets the call invoker the generated methods call through.</summary>
    protected CallInvoker CallInvoker { get; }

    internal ClientBaseConfiguration Configuration { get; }

    private static CallInvoker CreateInvoker(ChannelBase channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return channel.CreateCallInvoker();
    }

    /// <summary>What a client is built from: a call invoker and an optional host override.</summary>
#pragma warning disable CA1034 // Nested as in Grpc.Core; generated code names it unqualified.
    protected internal class ClientBaseConfiguration
#pragma warning restore CA1034
    {
        internal ClientBaseConfiguration(CallInvoker callInvoker, string? host)
        {
            ArgumentNullException.ThrowIfNull(callInvoker);
            CallInvoker = callInvoker;
            Host = host;
        }

        internal CallInvoker CallInvoker { get; }

        internal string? Host { get; }
    }
}
