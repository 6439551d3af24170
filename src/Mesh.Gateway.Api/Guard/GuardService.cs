using Grpc.Core;
using GuardrailsOptions = Mesh.Gateway.Guardrails.GuardrailsOptions;
using GuardTokenVault = Mesh.Gateway.Guardrails.GuardTokenVault;
using IGuardrailEngine = Mesh.Gateway.Guardrails.IGuardrailEngine;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.Api.Guard;

/// <summary>
/// <c>mesh.gateway.v1.Guard</c>: inspects text or chat messages with the guardrail engine. Protobuf types are mapped to and
/// from the engine's types here and nowhere else.
/// </summary>
internal sealed class GuardService(IGuardrailEngine engine, GuardrailsOptions options) : V1.Guard.GuardBase
{
    /// <summary>The <see cref="Microsoft.AspNetCore.Http.HttpContext.Items"/> key under which authentication leaves the caller's tenant id.</summary>
    internal const string TenantItemKey = "Mesh.Gateway.TenantId";

    public override async Task<InspectResponse> Inspect(InspectRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        string? tenant = TenantOf(context);
        var policy = options.Resolve(string.IsNullOrEmpty(request.Policy) ? null : request.Policy, tenant)
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

    private static string? TenantOf(ServerCallContext context)
    {
        try
        {
            return context.GetHttpContext().Items.TryGetValue(TenantItemKey, out object? value) ? value as string : null;
        }
        catch (InvalidOperationException)
        {
            return null; // not hosted on ASP.NET Core (unit tests with a fake context)
        }
    }
}
