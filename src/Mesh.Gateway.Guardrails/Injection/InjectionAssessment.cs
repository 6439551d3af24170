namespace Mesh.Gateway.Guardrails.Injection;

/// <summary>The injection score of a text and the span of its strongest signal (UTF-16).</summary>
internal readonly record struct InjectionAssessment(double Score, int Start, int End, string Signal);
