namespace Mesh.Gateway.Guardrails.Internal.Prefilter;

/// <summary>One occurrence of a trigger in a text: UTF-16 offsets and the index of the trigger that matched.</summary>
internal readonly record struct TriggerHit(int Start, int End, int Trigger);
