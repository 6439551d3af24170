using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Tests.Fakes;

namespace Mesh.Gateway.Core.Tests.Routing.Simulation;

/// <summary>
/// Discrete-event time for the simulation: provider calls register when they end, and <see cref="RunUntilIdle"/> moves the fake
/// clock from one end to the next, finishing each call there. Before every step it waits until each caller is blocked on a
/// provider call again (or done), so the outcome does not depend on thread scheduling.
/// </summary>
internal sealed class SimulationClock(FakeTimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Action, (long Due, long Seq)> _events = new();
    private long _seq;

    public FakeTimeProvider Time { get; } = time;

    /// <summary>A result that is ready <paramref name="after"/> from now on the fake clock.</summary>
    public Task<ProviderResult<T>> After<T>(TimeSpan after, Func<ProviderResult<T>> result)
        where T : class
    {
        var done = new TaskCompletionSource<ProviderResult<T>>();
        lock (_lock)
        {
            _events.Enqueue(() => done.SetResult(result()), (Time.GetTimestamp() + after.Ticks, _seq++));
        }

        return done.Task;
    }

    /// <summary>Runs the events in time order until <paramref name="finished"/> says every caller is done.</summary>
    /// <param name="callers">How many callers run at once.</param>
    /// <param name="finished">How many callers are done.</param>
    public void RunUntilIdle(int callers, Func<int> finished)
    {
        while (true)
        {
            var spin = new SpinWait();
            while (Pending() + finished() < callers)
            {
                spin.SpinOnce();
            }

            Action next;
            long due;
            lock (_lock)
            {
                if (!_events.TryDequeue(out next!, out var key))
                {
                    return;
                }

                due = key.Due;
            }

            var now = Time.GetTimestamp();
            if (due > now)
            {
                Time.Advance(TimeSpan.FromTicks(due - now));
            }

            next();
        }
    }

    private int Pending()
    {
        lock (_lock)
        {
            return _events.Count;
        }
    }
}
