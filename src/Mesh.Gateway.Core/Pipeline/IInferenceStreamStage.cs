namespace Mesh.Gateway.Core.Pipeline;

/// <summary>A step's per-call work on a streamed result, run item by item on the thread that reads the stream, with no async
/// layer of its own: the steps' stages of one stream run in one loop (<see cref="InferenceResult.WithStage"/>).</summary>
/// <remarks>
/// A stage sees what the stages inside it passed on, innermost first, as a step's iterator would. It may pass an item on as
/// it is, hold it, replace it or add items. Where a step must await per item, it wraps the stream
/// in its own iterator instead; a stage costs the stream nothing when it waits (the loop suspends once for all its stages).
/// Not shared: one instance per call.
/// </remarks>
public interface IInferenceStreamStage
{
    /// <summary>Takes one item and adds what goes on to <paramref name="output"/>.</summary>
    /// <returns>False to stop reading upstream once what was added has gone on (a cut): the stages inside it are ended, those
    /// outside it see the stream complete.</returns>
    bool OnItem(in InferenceStreamItem item, List<InferenceStreamItem> output);

    /// <summary>The stream inside this stage ended normally (or a stage inside it stopped it): what was held goes on. Not
    /// called on a stage that stopped the stream itself, nor when the stream failed or the door stopped reading.</summary>
    void OnCompleted(List<InferenceStreamItem> output);

    /// <summary>The stream is over, whichever way (after <see cref="OnCompleted"/> when it completed; without it when it failed,
    /// was cancelled or the door stopped reading): called once, innermost stage first, as a step's <c>finally</c> would run.</summary>
    ValueTask OnEndAsync();
}
