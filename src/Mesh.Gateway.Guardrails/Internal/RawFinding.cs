namespace Mesh.Gateway.Guardrails.Internal;

/// <summary>A detector hit in UTF-16 offsets, before policy thresholds and actions.</summary>
internal struct RawFinding(string type, int start, int end, double score, FindingKind kind = FindingKind.Pii)
{
    public string Type = type;
    public int Start = start;
    public int End = end;
    public double Score = score;
    public FindingKind Kind = kind;
    public GuardAction Action;

    public readonly int Length => End - Start;
}
