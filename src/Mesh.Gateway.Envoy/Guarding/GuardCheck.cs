namespace Mesh.Gateway.Envoy.Guarding;

/// <summary>The verdict on one text: blocked (with a reason safe to show), or the text to send (changed when redacted).</summary>
internal readonly record struct GuardCheck(bool Blocked, string? Reason, string Text, bool Changed)
{
    public static GuardCheck Pass(string text) => new(false, null, text, false);
}
