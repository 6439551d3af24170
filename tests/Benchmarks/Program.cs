using BenchmarkDotNet.Running;

namespace Mesh.Gateway.Benchmarks;

internal static class Program
{
    private static int Main(string[] args)
    {
        // `tokenizers DIR`: the Stopwatch throughput run that tests/Benchmarks/Tokenizers/run.sh compares with npm tiktoken.
        if (args is ["tokenizers", .. var rest])
        {
            return Tokenizers.TokenizerThroughput.Run(rest);
        }

        // `limits [iterations]`: per-call latency of a limit check, Redis-backed vs in-process, p50/p99 in one run.
        if (args is ["limits", .. var limitArgs])
        {
            return Limits.LimitCheckLatency.Run(limitArgs);
        }

        // `envoy [--proc-rate 100] [--check-rate 1000] [--seconds 5] [--rounds 4] [--warmup 5]`: what the Envoy door adds to a
        // full ext_proc exchange and to an ext_authz Check, against an echo server on the same gRPC layer, p50/p99 and CPU.
        if (args is ["envoy", .. var envoyArgs])
        {
            return Envoy.EnvoyDoorLoad.Run(envoyArgs);
        }

        // `routing [calls] [concurrency] [scale]`: the routing simulation (issue 21) on loopback sockets, p50/p99/errors per strategy.
        if (args is ["routing", .. var routingArgs])
        {
            return Routing.RoutingSimulationLoad.Run(routingArgs);
        }

        if (args is ["envoy-session", .. var sessionArgs])
        {
            return Envoy.EnvoySessionProfile.Run(sessionArgs);
        }

        if (args is ["envoy-server", var kind])
        {
            return Envoy.EnvoyDoorServers.Run(kind);
        }

        // `envoy-server KIND PORT` / `envoy-frames DIR`: the servers and the request bodies tests/Benchmarks/Envoy/h2load.sh uses.
        if (args is ["envoy-server", var fixedKind, var fixedPort])
        {
            return Envoy.EnvoyDoorServers.Run(fixedKind, int.Parse(fixedPort, System.Globalization.CultureInfo.InvariantCulture));
        }

        if (args is ["envoy-frames", var framesDir])
        {
            return Envoy.EnvoyExchangeFrames.Write(framesDir);
        }

        // `grpc-server PORT` / `grpc-bare PORT`: the two endpoints tests/Benchmarks/grpc-h2load.sh compares with h2load.
        if (args is ["grpc-server", var port])
        {
            return Grpc.H2LoadServers.RunGrpcServer(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture));
        }

        if (args is ["grpc-bare", var barePort])
        {
            return Grpc.H2LoadServers.RunBareKestrel(int.Parse(barePort, System.Globalization.CultureInfo.InvariantCulture));
        }

        // The sidecar vs @portkey-ai/gateway comparison (tests/Benchmarks/Portkey/run.sh): the mock upstream, the request
        // files for h2load.
        if (args is ["mock-upstream", var upstreamPort])
        {
            return Portkey.MockUpstream.Run(int.Parse(upstreamPort, System.Globalization.CultureInfo.InvariantCulture));
        }

        // `floor-proxy PORT UPSTREAM_BASE_URL`: the least a gRPC-to-HTTP gateway on this stack does (Floor/FloorProxy.cs), the
        // floor the sidecar's CPU per call is compared with (tests/Benchmarks/Portkey/run.sh with FLOOR=1).
        if (args is ["floor-proxy", var floorPort, var floorUpstream])
        {
            return Floor.FloorProxy.Run(int.Parse(floorPort, System.Globalization.CultureInfo.InvariantCulture), floorUpstream);
        }

        if (args is ["bench-requests", var requestDir])
        {
            return Portkey.BenchRequests.Write(requestDir);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
