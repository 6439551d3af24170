namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>Whether the sidecar takes traffic: not before it has started, not while it drains.</summary>
internal sealed class ReadinessState
{
    private volatile int _state;

    /// <summary>Starting, ready, or draining.</summary>
    public string Status => _state switch
    {
        0 => "starting",
        1 => "ready",
        _ => "draining",
    };

    public bool IsReady => _state == 1;

    public void MarkStarted() => Interlocked.CompareExchange(ref _state, 1, 0);

    public void MarkDraining() => _state = 2;
}
