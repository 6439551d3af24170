namespace Mesh.Gateway.Providers.Http;

/// <summary>How a provider frames its streamed events.</summary>
internal enum StreamFraming
{
    ServerSentEvents,
    AwsEventStream,
}
