namespace Mesh.Gateway.Guardrails;

/// <summary>Where the inspected text comes from; injection and moderation rules differ per direction.</summary>
public enum GuardDirection
{
    /// <summary>Text a user or app sends towards a model (a prompt).</summary>
    Input = 0,

    /// <summary>Text a model produced (a completion), on its way back to the app.</summary>
    Output = 1,

    /// <summary>Retrieved content (documents, web pages, e-mails, tool results) about to be put into a prompt.</summary>
    RetrievedDocument = 2,
}
