using Google.Protobuf.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>The services mapped with MapGrpcService (for reflection and UNIMPLEMENTED answers) and what call handlers share.</summary>
internal sealed class GrpcServiceRegistry
{
    private readonly Lock _lock = new();
    private readonly List<string> _names = [];
    private readonly List<ServiceDescriptor> _descriptors = [];

    public GrpcServiceRegistry(IOptions<GrpcServerOptions> options, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        var value = options.Value;
        if (value.MaxReceiveMessageSize is <= 0)
        {
            throw new OptionsValidationException(nameof(GrpcServerOptions), typeof(GrpcServerOptions), [$"MaxReceiveMessageSize: must be positive (was {value.MaxReceiveMessageSize})"]);
        }

        if (value.MaxSendMessageSize is <= 0)
        {
            throw new OptionsValidationException(nameof(GrpcServerOptions), typeof(GrpcServerOptions), [$"MaxSendMessageSize: must be positive (was {value.MaxSendMessageSize})"]);
        }

        CallServices = new ServerCallServices(value, loggerFactory.CreateLogger("Mesh.Gateway.Grpc.Server"), timeProvider);
    }

    public ServerCallServices CallServices { get; }

    public bool FallbackMapped { get; set; }

    public IReadOnlyList<string> ServiceNames
    {
        get
        {
            lock (_lock)
            {
                return [.. _names];
            }
        }
    }

    public IReadOnlyList<ServiceDescriptor> Descriptors
    {
        get
        {
            lock (_lock)
            {
                return [.. _descriptors];
            }
        }
    }

    public void Add(string serviceName, ServiceDescriptor? descriptor)
    {
        lock (_lock)
        {
            if (!_names.Contains(serviceName))
            {
                _names.Add(serviceName);
            }

            if (descriptor is not null && !_descriptors.Contains(descriptor))
            {
                _descriptors.Add(descriptor);
            }
        }
    }

    public bool HasService(string serviceName)
    {
        lock (_lock)
        {
            return _names.Contains(serviceName);
        }
    }
}
