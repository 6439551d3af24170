using System.Threading.Tasks.Sources;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>The terminal of a call whose upstream is the door's own (the Envoy door: the proxy forwards the request itself),
/// fed by the door with the answer as it arrives.</summary>
/// <remarks>
/// One instance per call, attached to its context (<see cref="Attach"/>); pipelines are built with <see cref="Terminal"/>.
/// When the steps reach the terminal, the request half is done: the door sends on the request as the steps left it
/// (<see cref="Request"/>) and feeds back the answer: a stream item by item (<see cref="Push(InferenceStreamItem)"/>, <see cref="Complete"/>), a
/// whole response once (<see cref="SetResult"/>). A step that answers without calling its next step leaves the upstream
/// unreached (<see cref="IsReached"/> false): the door renders that step's result itself (a short-circuit).
/// Continuations run inline on the feeding thread: a push runs every step's per-chunk code before it returns, with no
/// task, channel or thread hop (read the pipeline's output with <see cref="InferenceStreamPump"/>). Not thread-safe: a door
/// feeds one call from one message at a time. The stream can be read once.
/// </remarks>
public sealed class DoorUpstream : IValueTaskSource<InferenceResult>, IValueTaskSource<bool>, IAsyncEnumerable<InferenceStreamItem>, IAsyncEnumerator<InferenceStreamItem>
{
    /// <summary>Where the call's upstream is kept in its properties.</summary>
    public static readonly InferencePropertyKey<DoorUpstream> Key = new("mesh.door_upstream");

    private readonly Queue<InferenceStreamItem> _queue = new();
    private ManualResetValueTaskSourceCore<InferenceResult> _whole;
    private ManualResetValueTaskSourceCore<bool> _next;
    private InferenceStreamItem _current;
    private bool _waiting;
    private bool _completed;
    private bool _enumerated;
    private Exception? _fault;
    private readonly Lock _gate = new();
    private TaskCompletionSource? _reached;

    /// <summary>The terminal handler for pipelines run by a door that forwards the request itself.</summary>
    public static InferenceHandler Terminal { get; } = static (context, _) =>
        context.Properties.TryGetValue(Key, out var upstream)
            ? upstream.Reach(context)
            : throw new InvalidOperationException("The call has no door upstream attached (DoorUpstream.Attach).");

    /// <summary>True once the steps passed the call on to the upstream (false: a step answered it).</summary>
    public bool IsReached { get; private set; }

    /// <summary>Completes when the steps pass the call on to the upstream; for a door whose steps did not finish their request
    /// half synchronously (a step awaited a store, say), to wait for either this or the pipeline's own end.</summary>
    /// <remarks>Allocated only when asked for: the synchronous path (every in-process step) never needs it.</remarks>
    public Task WhenReached
    {
        get
        {
            // The steps may reach the upstream on another thread while the door asks.
            lock (_gate)
            {
                if (IsReached)
                {
                    return Task.CompletedTask;
                }

                // Continuations run asynchronously: the door must not resume inside a step's call to its next step.
                _reached ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _reached.Task;
            }
        }
    }

    /// <summary>The call as the steps passed it on (a step may have replaced the request); null until reached.</summary>
    public InferenceContext? Request { get; private set; }

    /// <summary>True once the pipeline stopped reading the stream (a step cut it, or the door disposed it).</summary>
    public bool IsAbandoned { get; private set; }

    /// <inheritdoc/>
    public InferenceStreamItem Current => _current;

    /// <summary>True when <see cref="MoveNextAsync"/> would not wait: an item, the end or a failure is there to read.</summary>
    internal bool HasNext => _queue.Count > 0 || _fault is not null || _completed;

    /// <summary><see cref="MoveNextAsync"/> when <see cref="HasNext"/>: the next item (true), the end (false), or the failure
    /// fed by <see cref="Fail"/>, thrown.</summary>
    internal bool ReadNext()
    {
        if (_queue.TryDequeue(out var item))
        {
            _current = item;
            return true;
        }

        if (_fault is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_fault);
        }

        return _completed ? false : throw new InvalidOperationException("Nothing to read yet (HasNext is false).");
    }

    /// <summary>Makes this the upstream of <paramref name="context"/>'s call.</summary>
    public void Attach(InferenceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Properties.Set(Key, this);
    }

    /// <summary>A streamed call's next item from the upstream.</summary>
    public void Push(InferenceStreamItem item)
    {
        if (_waiting)
        {
            _waiting = false;
            _current = item;
            _next.SetResult(true);
            return;
        }

        _queue.Enqueue(item);
    }

    /// <summary>A streamed call's next chunk from the upstream.</summary>
    public void Push(ChatChunk chunk) => Push(InferenceStreamItem.FromChunk(chunk));

    /// <summary>The end of a streamed call's upstream answer.</summary>
    public void Complete()
    {
        _completed = true;
        if (_waiting)
        {
            _waiting = false;
            _next.SetResult(false);
        }
    }

    /// <summary>A whole (not streamed) call's answer from the upstream.</summary>
    public void SetResult(InferenceResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _whole.SetResult(result);
    }

    /// <summary>The upstream exchange ended without an answer (<see cref="OperationCanceledException"/> when the caller or the
    /// proxy went away): steps see it thrown from their next step or from the stream.</summary>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Request is { IsStreaming: false })
        {
            if (_whole.GetStatus(_whole.Version) == ValueTaskSourceStatus.Pending)
            {
                _whole.SetException(exception);
            }

            return;
        }

        _fault = exception;
        if (_waiting)
        {
            _waiting = false;
            _next.SetException(exception);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerator<InferenceStreamItem> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (_enumerated)
        {
            throw new InvalidOperationException("A door upstream's stream is read once.");
        }

        _enumerated = true;
        return this;
    }

    /// <inheritdoc/>
    public ValueTask<bool> MoveNextAsync()
    {
        if (_queue.TryDequeue(out var item))
        {
            _current = item;
            return new ValueTask<bool>(true);
        }

        if (_fault is not null)
        {
            return ValueTask.FromException<bool>(_fault);
        }

        if (_completed)
        {
            return new ValueTask<bool>(false);
        }

        _next.Reset();
        _waiting = true;
        return new ValueTask<bool>(this, _next.Version);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        IsAbandoned = !_completed || _queue.Count > 0;
        return default;
    }

    private ValueTask<InferenceResult> Reach(InferenceContext context)
    {
        TaskCompletionSource? reached;
        lock (_gate)
        {
            IsReached = true;
            Request = context;
            reached = _reached;
        }

        reached?.TrySetResult();
        if (context.IsStreaming)
        {
            return new ValueTask<InferenceResult>(InferenceResult.FromStream(this));
        }

        return new ValueTask<InferenceResult>(this, _whole.Version);
    }

    InferenceResult IValueTaskSource<InferenceResult>.GetResult(short token) => _whole.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<InferenceResult>.GetStatus(short token) => _whole.GetStatus(token);

    void IValueTaskSource<InferenceResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _whole.OnCompleted(continuation, state, token, flags);

    bool IValueTaskSource<bool>.GetResult(short token) => _next.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _next.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _next.OnCompleted(continuation, state, token, flags);
}
