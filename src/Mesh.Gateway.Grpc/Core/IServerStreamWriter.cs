namespace Grpc.Core;

/// <summary>Writes a server's stream of responses.</summary>
public interface IServerStreamWriter<in T> : IAsyncStreamWriter<T>
{
}
