using System.Reflection;
using Xunit;

namespace Mesh.Gateway.Contracts.Tests.Packages;

/// <summary>
/// The gRPC and protobuf runtimes resolve at the versions pinned in Directory.Packages.props. With central package
/// management a direct reference holds a transitive package at its own pin, so a stale Google.Protobuf pin (3.25.1) would
/// silently win over the 3.36.2 that Grpc 2.85.0 is built against.
/// </summary>
public sealed class PackageVersionTests
{
    [Fact]
    public void GoogleProtobuf_Resolved_Is3_36_2()
    {
        Assert.Equal("3.36.2.0", FileVersion(typeof(Google.Protobuf.IMessage)));
    }

    [Fact]
    public void GrpcCoreApi_Resolved_Is2_85_0()
    {
        Assert.Equal("2.85.0.0", FileVersion(typeof(global::Grpc.Core.ServerCallContext)));
    }

    private static string? FileVersion(Type type) => type.Assembly.GetCustomAttribute<AssemblyFileVersionAttribute>()?.Version;
}
