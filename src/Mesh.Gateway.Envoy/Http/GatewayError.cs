namespace Mesh.Gateway.Envoy.Http;

/// <summary>A refusal the gateway answers on the provider's behalf.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Kind">What went wrong, mapped onto each provider's error type names.</param>
/// <param name="Code">A stable machine code (OpenAI's error.code).</param>
/// <param name="Message">A readable message; never contains credentials or prompt text.</param>
internal sealed record GatewayError(int Status, GatewayErrorKind Kind, string Code, string Message);
