namespace Mesh.Gateway.Envoy.Guarding;

/// <summary>Redacts a text stream delta by delta; may hold back a tail until it knows no finding spans the boundary.</summary>
internal interface IEnvoyStreamGuard
{
    /// <summary>Adds a delta; returns the text now safe to release (possibly empty).</summary>
    StreamGuardOutput Push(string delta);

    /// <summary>End of text: releases what was held back.</summary>
    StreamGuardOutput Complete();
}
