namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>What a door that forwards the request itself (Envoy) knows of a call and the steps cannot see: the operation in
/// the door's API's words (authorized by the authentication step, recorded by the limits step), the HTTP status its upstream
/// answered with, what it charged before the pipeline ran; read by the limits step when it admits and records the call.</summary>
/// <remarks>One per call, set in the call's properties (<see cref="LimitsPropertyKeys.DoorFields"/>) by the door and updated
/// as the exchange goes on. Not thread-safe: the door updates it between Envoy's messages.</remarks>
public sealed class DoorCallFields
{
    /// <summary>The operation as the door's API names it (<c>chat</c>, <c>responses</c>, <c>embeddings</c>).</summary>
    public string? Operation { get; set; }

    /// <summary>The HTTP status the caller received (the upstream's, or the gateway's own reply); 0 until known.</summary>
    public int HttpStatus { get; set; }

    /// <summary>The text the provider generated, when the door forwards the provider's bytes itself and has seen more than
    /// the steps were given (its response guardrails held text back when the caller went away): what the provider bills, so
    /// what is counted when it reported no usage for its output. Null: the delivered output is counted.</summary>
    public string? GeneratedText { get; set; }

    /// <summary>The limits the door charged before the pipeline ran (Envoy's Check: request counts), not charged again.</summary>
    public LimitCharges ChargedBefore { get; set; }
}
