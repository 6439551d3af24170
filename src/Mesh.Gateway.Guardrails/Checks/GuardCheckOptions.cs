namespace Mesh.Gateway.Guardrails.Checks;

/// <summary>One configured check (<c>guardrails.checks.NAME</c>, or a policy's <c>checks.NAME</c>).</summary>
public sealed record GuardCheckOptions
{
    public required string Name { get; init; }

    /// <summary><c>openai_moderation</c>, <c>webhook</c> or <c>llm_judge</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The service's base URL (openai_moderation: POST {url}/moderations; webhook: POST {url}).</summary>
    public Uri? Url { get; init; }

    /// <summary>Sent as <c>Authorization: Bearer</c> (openai_moderation, webhook).</summary>
    public string? ApiKey { get; init; }

    /// <summary>The moderation model (openai_moderation; default omni-moderation-latest).</summary>
    public string? Model { get; init; }

    /// <summary>The configured model route asked as judge (llm_judge).</summary>
    public string? Route { get; init; }

    /// <summary>The judge's instructions (llm_judge); its answer must start with ALLOW or BLOCK.</summary>
    public string? Prompt { get; init; }

    /// <summary>enforce: a flag blocks the call; audit: the call passes and the finding is recorded.</summary>
    public GuardCheckMode Mode { get; init; } = GuardCheckMode.Enforce;

    /// <summary>open: a failed or late check lets the call through; closed: it blocks the call.</summary>
    public bool FailOpen { get; init; } = true;

    /// <summary>How long the check may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Ask about the request's texts.</summary>
    public bool OnInput { get; init; } = true;

    /// <summary>Ask about a whole (not streamed) response's text.</summary>
    public bool OnOutput { get; init; }
}
