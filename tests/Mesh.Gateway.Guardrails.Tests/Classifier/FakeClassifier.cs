namespace Mesh.Gateway.Guardrails.Tests.Classifier;

/// <summary>A scripted <see cref="IGuardClassifier"/>: answers from a function and counts its calls.</summary>
internal sealed class FakeClassifier(string name, Func<string, GuardClassifierKind, CancellationToken, ValueTask<GuardClassification>> answer) : IGuardClassifier
{
    private int _calls;

    public string Name { get; } = name;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<GuardClassification> ClassifyAsync(string text, GuardClassifierKind kind, GuardDirection direction, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return answer(text, kind, cancellationToken);
    }

    internal static FakeClassifier Scores(string name, params (string Category, double Score)[] scores) =>
        new(name, (_, _, _) => ValueTask.FromResult(new GuardClassification { Scores = scores.ToDictionary(s => s.Category, s => s.Score) }));
}
