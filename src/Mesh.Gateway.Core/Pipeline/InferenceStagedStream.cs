using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>A stream and the stages the steps added to it (<see cref="InferenceResult.WithStage"/>), run in one loop: one
/// async layer for all of them, however many steps observe or rewrite the stream; none at all where the door feeds the
/// stream itself and reads it with <see cref="InferenceStreamPump"/> (the stages then run inside the door's own call).</summary>
/// <remarks>Adding a stage to a staged stream makes a new one over the same source (the stages are copied, never shared), so
/// a step that wraps the stream in its own iterator between two stages still sees exactly what the stages inside it passed on.</remarks>
internal sealed class InferenceStagedStream : IAsyncEnumerable<InferenceStreamItem>
{
    private readonly IInferenceStreamStage[] _stages;
    private readonly CancellationToken _callToken;

    private InferenceStagedStream(IAsyncEnumerable<InferenceStreamItem> source, IInferenceStreamStage[] stages, CancellationToken callToken)
    {
        Source = source;
        _stages = stages;
        _callToken = callToken;
    }

    /// <summary>The stream the stages read (the terminal's, or an iterator step's between two stages).</summary>
    public IAsyncEnumerable<InferenceStreamItem> Source { get; }

    public static InferenceStagedStream Create(IAsyncEnumerable<InferenceStreamItem> stream, IInferenceStreamStage stage, CancellationToken callToken)
    {
        if (stream is InferenceStagedStream staged)
        {
            return new InferenceStagedStream(staged.Source, [.. staged._stages, stage], staged._callToken.CanBeCanceled ? staged._callToken : callToken);
        }

        return new InferenceStagedStream(stream, [stage], callToken);
    }

    public IAsyncEnumerator<InferenceStreamItem> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        Run(cancellationToken.CanBeCanceled ? cancellationToken : _callToken).GetAsyncEnumerator(CancellationToken.None);

    /// <summary>The stages, to be driven by a reader that feeds them its source's items itself.</summary>
    public Runner Open() => new(_stages);

    private async IAsyncEnumerable<InferenceStreamItem> Run([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var runner = Open();
        var output = runner.Output;
        var source = Source.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (!runner.Stopped && await source.MoveNextAsync().ConfigureAwait(false))
            {
                runner.Pass(source.Current);
                foreach (var item in output)
                {
                    yield return item;
                }

                output.Clear();
            }

            runner.Complete();
            foreach (var item in output)
            {
                yield return item;
            }

            output.Clear();
        }
        finally
        {
            await runner.EndAsync(source).ConfigureAwait(false);
        }
    }

    /// <summary>One call's run of the stages: items in, what the outermost stage passes on in <see cref="Output"/>.</summary>
    internal sealed class Runner
    {
        private readonly IInferenceStreamStage[] _stages;
        private readonly List<InferenceStreamItem>[] _buffers;

        // The outermost stage that stopped the stream (-1: none): nothing more is read, the stages outside it complete.
        private int _stopped = -1;

        public Runner(IInferenceStreamStage[] stages)
        {
            _stages = stages;
            _buffers = new List<InferenceStreamItem>[stages.Length];
            for (var i = 0; i < _buffers.Length; i++)
            {
                _buffers[i] = new List<InferenceStreamItem>(2);
            }
        }

        /// <summary>What the stages passed on and the reader has not taken yet.</summary>
        public List<InferenceStreamItem> Output { get; } = new(2);

        /// <summary>True once a stage stopped the stream: read nothing more from the source, then <see cref="Complete"/>.</summary>
        public bool Stopped => _stopped >= 0;

        /// <summary>Runs one item from the source through every stage.</summary>
        public void Pass(in InferenceStreamItem item) => _stopped = Pass(0, item);

        /// <summary>The source ended (or a stage stopped it): the stages outside the one that stopped it complete.</summary>
        public void Complete()
        {
            for (var level = _stopped + 1; level < _stages.Length; level++)
            {
                var held = _buffers[level];
                _stages[level].OnCompleted(held);
                var stop = -1;
                foreach (var item in held)
                {
                    stop = Pass(level + 1, item);
                    if (stop >= 0)
                    {
                        break;
                    }
                }

                held.Clear();
                if (stop >= 0)
                {
                    level = stop;
                }
            }
        }

        /// <summary>As nested iterators' <c>finally</c> blocks run: the source disposed first, then each stage ended from the
        /// innermost, each one whatever the one before it threw (the first exception is rethrown once all have run).</summary>
        public async ValueTask EndAsync(IAsyncDisposable source)
        {
            ExceptionDispatchInfo? failure = null;
            try
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }

            foreach (var stage in _stages)
            {
                try
                {
                    await stage.OnEndAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    failure ??= ExceptionDispatchInfo.Capture(ex);
                }
            }

            failure?.Throw();
        }

        // Runs one item through the stages from `level` outward; what the outermost passes on goes to Output. Returns the
        // outermost stage that asked to stop, or -1.
        private int Pass(int level, in InferenceStreamItem item)
        {
            if (level == _stages.Length)
            {
                Output.Add(item);
                return -1;
            }

            var passed = _buffers[level];
            var stopped = _stages[level].OnItem(item, passed) ? -1 : level;
            for (var i = 0; i < passed.Count; i++)
            {
                var outer = Pass(level + 1, passed[i]);
                if (outer >= 0)
                {
                    // A stage outside this one stopped: it reads nothing more from here.
                    stopped = outer;
                    break;
                }
            }

            passed.Clear();
            return stopped;
        }
    }
}
