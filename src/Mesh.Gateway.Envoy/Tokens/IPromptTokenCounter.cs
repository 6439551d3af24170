namespace Mesh.Gateway.Envoy.Tokens;

/// <summary>Counts tokens of texts for a model (prompt accounting before the call, completion fallback when usage is missing).</summary>
internal interface IPromptTokenCounter
{
    int Count(string model, IReadOnlyList<string> texts);
}
