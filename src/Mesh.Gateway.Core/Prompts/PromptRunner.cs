using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>
/// Turns a prompt call (name, label or version, variables) into the chat request to run, door-neutrally: resolves the
/// version (an A/B label through <see cref="PromptVersionSelector"/>), validates the variables of the whole chain, runs each
/// chained prompt first as a whole call through the pipeline (its own access, limits, guardrails and ledger record), and
/// renders the messages.
/// </summary>
/// <remarks>Thread-safe. A variable is given once and reaches every prompt of the chain that declares it. One call (its
/// chain included) uses the registry that was current when it began, though a reload swaps it meanwhile.</remarks>
public sealed class PromptRunner(PromptRegistryHolder registries, InferencePipeline pipeline, PromptVersionSelector selector)
{
    /// <summary>A runner over one fixed registry.</summary>
    public PromptRunner(PromptRegistry registry, InferencePipeline pipeline, PromptVersionSelector selector)
        : this(new PromptRegistryHolder(registry), pipeline, selector)
    {
    }

    /// <summary>Prepares <paramref name="invocation"/>; chained prompts run now, through <paramref name="newStepCall"/>'s contexts.</summary>
    /// <param name="invocation">The call.</param>
    /// <param name="identity">The caller, when the door has authenticated it (sticky A/B splits hash it).</param>
    /// <param name="newStepCall">Makes the context of one chained step (a whole call) with the door's caller fields set.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public async ValueTask<PromptPreparation> PrepareAsync(PromptInvocation invocation, CallIdentity? identity, Func<ChatRequest, InferenceContext> newStepCall, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(newStepCall);
        var registry = registries.Current;
        if (registry.Find(invocation.Name) is not { } template)
        {
            return Fail(PromptErrors.NotFound(invocation.Name));
        }

        if (invocation.Label is not null && invocation.Version is not null)
        {
            return Fail(GatewayError.InvalidArgument("version", "give a label or a version, not both"));
        }

        if (CheckVariables(registry, template, invocation.Variables) is { } invalid)
        {
            return Fail(invalid);
        }

        return await PrepareAsync(registry, template, invocation.Label, invocation.Version, invocation.Variables, identity, newStepCall, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<PromptPreparation> PrepareAsync(
        PromptRegistry registry,
        PromptTemplate template,
        string? labelName,
        string? versionId,
        IReadOnlyDictionary<string, PromptValue> given,
        CallIdentity? identity,
        Func<ChatRequest, InferenceContext> newStepCall,
        CancellationToken cancellationToken)
    {
        PromptVersion version;
        string? chosenLabel = null;
        if (versionId is not null)
        {
            if (template.FindVersion(versionId) is not { } found)
            {
                return Fail(PromptErrors.VersionNotFound(template.Name, "version", versionId));
            }

            version = found;
        }
        else if (labelName is not null || template.Labels.ContainsKey(PromptTemplate.DefaultLabel))
        {
            chosenLabel = labelName ?? PromptTemplate.DefaultLabel;
            if (!template.Labels.TryGetValue(chosenLabel, out var label))
            {
                return Fail(PromptErrors.VersionNotFound(template.Name, "label", chosenLabel));
            }

            version = selector.Select(template.Name, label, identity);
        }
        else
        {
            version = template.Versions[^1];
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in template.Variables.Values)
        {
            if (variable.IsChained)
            {
                var source = registry.Find(variable.From!)!;
                var step = await PrepareAsync(registry, source, variable.FromLabel, null, given, identity, newStepCall, cancellationToken).ConfigureAwait(false);
                if (step.IsError)
                {
                    return step;
                }

                var answer = await RunStepAsync(step, newStepCall, cancellationToken).ConfigureAwait(false);
                if (answer.Error is { } failed)
                {
                    return Fail(failed);
                }

                values[variable.Name] = answer.Text!;
            }
            else
            {
                values[variable.Name] = given.TryGetValue(variable.Name, out var value) ? value.Render() : variable.Default?.Render() ?? string.Empty;
            }
        }

        var request = new ChatRequest
        {
            Model = version.Model,
            Messages = [.. version.Messages.Select(m => new ChatMessage { Role = m.Role, Content = [new TextContentPart(m.Text.Render(values))] })],
            MaxOutputTokens = version.MaxOutputTokens,
            Temperature = version.Temperature,
        };
        return new PromptPreparation { Request = request, Call = new PromptCall(template.Name, version.Id, chosenLabel) };
    }

    // One chained step: a whole call through the pipeline, as a caller's call would be; its answer's text is the value.
    private async ValueTask<(string? Text, GatewayError? Error)> RunStepAsync(PromptPreparation step, Func<ChatRequest, InferenceContext> newStepCall, CancellationToken cancellationToken)
    {
        var context = newStepCall(step.Request!);
        context.Properties.Set(PromptCall.Key, step.Call!);
        var result = await pipeline.ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
        if (result.IsError)
        {
            return (null, WithPrompt(result.Error, step.Call!.Name));
        }

        if (result.Response is { } response)
        {
            return (response.Text, null);
        }

        if (result.Stream is { } stream)
        {
            var accumulator = new ChatStreamAccumulator();
            await foreach (var item in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (item.IsError)
                {
                    return (null, WithPrompt(item.Error, step.Call!.Name));
                }

                accumulator.Add(item.Chunk);
            }

            return (accumulator.ToResponse(context.ServedTarget?.Provider ?? string.Empty, context.ServedTarget?.Model).Text, null);
        }

        return (null, new GatewayError { Code = GatewayErrorCode.Internal, Reason = GatewayErrorReasons.ProviderError, Message = $"prompt '{step.Call!.Name}' gave no answer" });
    }

    // Every variable the caller gives must be one some prompt of the chain declares (and not one a chained prompt fills);
    // every required one of each prompt in the chain must be given, each of its type. Checked before any step runs.
    private static GatewayError? CheckVariables(PromptRegistry registry, PromptTemplate template, IReadOnlyDictionary<string, PromptValue> given)
    {
        var chain = new List<PromptTemplate>();
        Collect(registry, template, chain);
        foreach (var name in given.Keys.Order(StringComparer.Ordinal))
        {
            var declared = chain.Select(t => t.Variables.GetValueOrDefault(name)).FirstOrDefault(v => v is not null);
            if (declared is null)
            {
                return GatewayError.InvalidArgument($"variables.{name}", $"is not a variable of prompt '{template.Name}'");
            }

            if (declared.IsChained && chain.All(t => t.Variables.GetValueOrDefault(name) is null or { IsChained: true }))
            {
                return GatewayError.InvalidArgument($"variables.{name}", $"is the answer of prompt '{declared.From}' and cannot be given");
            }
        }

        foreach (var prompt in chain)
        {
            foreach (var variable in prompt.Variables.Values.Where(static v => !v.IsChained))
            {
                if (given.TryGetValue(variable.Name, out var value))
                {
                    if (variable.Check(value) is { } problem)
                    {
                        return GatewayError.InvalidArgument($"variables.{variable.Name}", problem);
                    }
                }
                else if (variable.IsRequired)
                {
                    return GatewayError.InvalidArgument($"variables.{variable.Name}", prompt == template
                        ? "is required"
                        : $"is required (by prompt '{prompt.Name}', which '{template.Name}' chains)");
                }
            }
        }

        return null;
    }

    private static void Collect(PromptRegistry registry, PromptTemplate template, List<PromptTemplate> chain)
    {
        if (chain.Contains(template))
        {
            return;
        }

        chain.Add(template);
        foreach (var variable in template.Variables.Values.Where(static v => v.IsChained))
        {
            Collect(registry, registry.Find(variable.From!)!, chain);
        }
    }

    private static GatewayError WithPrompt(GatewayError error, string prompt) =>
        error with { Metadata = new Dictionary<string, string>(error.Metadata) { ["prompt"] = prompt } };

    private static PromptPreparation Fail(GatewayError error) => new() { Error = error };
}
