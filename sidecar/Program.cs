// The sidecar's entry point; everything else is composed in GatewayHost.
return await Mesh.Gateway.Sidecar.GatewayHost.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
