using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Core.Tests.Fakes;

/// <summary>One scripted answer of <see cref="ScriptedProvider"/>.</summary>
internal sealed record Step
{
    public ProviderError? Error { get; init; }

    public IReadOnlyList<ChatChunk> Chunks { get; init; } = [];

    /// <summary>An error item after <see cref="Chunks"/> (a broken stream).</summary>
    public ProviderError? ErrorAfterChunks { get; init; }

    /// <summary>Never answers until cancelled.</summary>
    public bool Hang { get; init; }

    /// <summary>Never answers after <see cref="Chunks"/> until cancelled.</summary>
    public bool HangAfterChunks { get; init; }

    public static Step Text(string text, int input = 3, int output = 2) => new()
    {
        Chunks =
        [
            new ChatChunk { Id = "r1", Model = "m" },
            new ChatChunk { TextDelta = text },
            new ChatChunk { FinishReason = ChatFinishReason.Stop, ProviderFinishReason = "stop" },
            new ChatChunk { Usage = new ChatUsage { InputTokens = input, OutputTokens = output } },
        ],
    };

    public static Step Fail(ProviderErrorKind kind, int? status = null, TimeSpan? retryAfter = null, string message = "upstream said no") =>
        new() { Error = ProviderError.Create(kind, message, status, retryAfter) };
}

/// <summary>An in-memory provider that answers from a script, one step per call, and records every call.</summary>
internal sealed class ScriptedProvider(string name, ProviderKind kind = ProviderKind.OpenAI) : IChatProvider
{
    private readonly ConcurrentQueue<Step> _script = new();

    public string Name { get; } = name;

    public ProviderKind Kind { get; } = kind;

    public ChatProviderFeatures Features { get; init; }

    public Step? Default { get; set; }

    public ConcurrentQueue<(string Model, CancellationToken Token)> Calls { get; } = new();

    public ScriptedProvider Then(params Step[] steps)
    {
        foreach (var step in steps)
        {
            _script.Enqueue(step);
        }

        return this;
    }

    private Step Next() => _script.TryDequeue(out var step) ? step : Default ?? throw new InvalidOperationException($"{Name}: script exhausted");

    public async ValueTask<ProviderResult<ChatResponse>> CompleteAsync(ChatRequest request, ProviderTarget target, CancellationToken cancellationToken)
    {
        Calls.Enqueue((target.Model, cancellationToken));
        var step = Next();
        if (step.Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (step.Error is not null)
        {
            return step.Error;
        }

        var accumulator = new ChatStreamAccumulator();
        foreach (var chunk in step.Chunks)
        {
            accumulator.Add(chunk);
        }

        return accumulator.ToResponse(Name, target.Model);
    }

    public async IAsyncEnumerable<ProviderStreamItem> StreamAsync(ChatRequest request, ProviderTarget target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Calls.Enqueue((target.Model, cancellationToken));
        var step = Next();
        if (step.Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (step.Error is not null)
        {
            yield return ProviderStreamItem.FromError(step.Error);
            yield break;
        }

        foreach (var chunk in step.Chunks)
        {
            await Task.Yield();
            yield return ProviderStreamItem.FromChunk(chunk);
        }

        if (step.HangAfterChunks)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (step.ErrorAfterChunks is not null)
        {
            yield return ProviderStreamItem.FromError(step.ErrorAfterChunks);
        }
    }
}
