namespace Mesh.Gateway.Guardrails.Internal;

internal enum FindingKind : byte
{
    Pii = 0,
    Injection = 1,
    Moderation = 2,
}
