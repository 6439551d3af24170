using Grpc.Core;
using Mesh.Gateway.Api.Callers;
using Mesh.Gateway.Tenancy.Authentication;
using GuardrailsPolicies = Mesh.Gateway.Guardrails.GuardrailsPolicies;
using GuardTokenVault = Mesh.Gateway.Guardrails.GuardTokenVault;
using IGuardrailEngine = Mesh.Gateway.Guardrails.IGuardrailEngine;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.Api.Guard;

/// <summary>
/// <c>mesh.gateway.v1.Guard</c>: inspects text or chat messages with the guardrail engine. Protobuf types are mapped to and
/// from the engine's types here and nowhere else.
/// </summary>
/// <remarks>With tenants configured the caller authenticates as on the Inference API (gateway key or bearer JWT) and its
/// tenant's policy applies; without, the default policy does.</remarks>
internal sealed class GuardService(IGuardrailEngine engine, GuardrailsPolicies policies, TenantAuthenticator authenticator) : V1.Guard.GuardBase
{
    public override async Task<InspectResponse> Inspect(InspectRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        string? tenant = (await authenticator.AuthenticateAsync(context).ConfigureAwait(false))?.Identity?.TenantId;
        var policy = policies.Current.Resolve(string.IsNullOrEmpty(request.Policy) ? null : request.Policy, tenant)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, $"policy: no guardrail policy named '{request.Policy}'"));
        var direction = GuardMapper.ToEngine(request.Direction);
        var response = new InspectResponse { Policy = policy.Name, Verdict = GuardVerdict.Allow };
        var vault = new GuardTokenVault();
        if (request.Messages.Count == 0)
        {
            var result = await engine.InspectAsync(request.Text, direction, policy, vault, context.CancellationToken).ConfigureAwait(false);
            GuardMapper.Merge(response, result, 0);
            response.RedactedText = result.RedactedText;
        }
        else
        {
            for (int i = 0; i < request.Messages.Count; i++)
            {
                var m = request.Messages[i];
                var result = await engine.InspectAsync(m.Content, direction, policy, vault, context.CancellationToken).ConfigureAwait(false);
                GuardMapper.Merge(response, result, i);
                response.RedactedMessages.Add(new GuardMessage { Role = m.Role, Content = result.RedactedText });
            }
        }

        return response;
    }
}
