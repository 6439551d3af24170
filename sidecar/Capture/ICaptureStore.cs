namespace Mesh.Gateway.Sidecar.Capture;

/// <summary>Where captures are kept: this process's memory (<see cref="CaptureStore"/>) or Redis shared by the fleet
/// (<see cref="RedisCaptureStore"/>, <c>capture.store.kind: redis</c>).</summary>
internal interface ICaptureStore
{
    /// <summary>Keeps <paramref name="call"/>; never waits on storage and never throws (the call that adds is not delayed or failed).</summary>
    void Add(CapturedCall call);

    /// <summary>The capture of call <paramref name="callId"/>, unless it was never taken, was dropped, or has expired.</summary>
    ValueTask<CapturedCall?> FindAsync(string callId, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="callIds"/> have a capture that can be read now (none when the store cannot be read).</summary>
    ValueTask<IReadOnlySet<string>> CapturedAsync(IReadOnlyList<string> callIds, CancellationToken cancellationToken);
}
