#!/usr/bin/python3
"""Plays Envoy against the sidecar: ext_authz Check, then one full ext_proc Process exchange.

Usage: /usr/bin/python3 envoy_client.py [ADDRESS] [GATEWAY_KEY]   (defaults: unix:/tmp/mesh-gateway-envoy.sock, mgw-demo-key)
ADDRESS is the sidecar's Envoy listener (listen.envoy), never the app's gRPC listener: ext_authz and ext_proc are served
there only. On a TCP Envoy listener, set MESH_ENVOY_SECRET to the proxy's secret; it is sent on every call, as Envoy sends
grpc_service.initial_metadata.
Needs the stubs from gen_stubs.py in ./gen, or in the folder named by MESH_STUBS.
Prints what Envoy would do with each answer, then one JSON line with what it saw (the tests read that line).
"""
import json
import os
import queue
import sys

sys.path.insert(0, os.environ.get("MESH_STUBS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen")))

import grpc  # noqa: E402
from envoy.config.core.v3 import base_pb2  # noqa: E402
from envoy.extensions.filters.http.ext_proc.v3 import processing_mode_pb2  # noqa: E402
from envoy.service.auth.v3 import attribute_context_pb2, external_auth_pb2, external_auth_pb2_grpc  # noqa: E402
from envoy.service.ext_proc.v3 import external_processor_pb2 as ep, external_processor_pb2_grpc as ep_grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402

PATH = "/v1/chat/completions"
PROMPT = "Email me at jane.roe@example.org and charge my card 4111 1111 1111 1111 for order 1234."
REQUEST_BODY = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": PROMPT}]}).encode()
RESPONSE_BODY = json.dumps({
    "id": "chatcmpl-demo", "object": "chat.completion", "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Done: order 1234 is charged."}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 31, "completion_tokens": 8, "total_tokens": 39},
}).encode()
BUFFERED = processing_mode_pb2.ProcessingMode.BUFFERED
# What the manifests put in grpc_service.initial_metadata (none on the Unix socket, whose volume only the proxy mounts).
PROXY_METADATA = [("x-mesh-envoy-secret", os.environ["MESH_ENVOY_SECRET"])] if os.environ.get("MESH_ENVOY_SECRET") else None


def request_headers(key):
    headers = {":method": "POST", ":path": PATH, ":authority": "api.openai.com", ":scheme": "https",
               "content-type": "application/json", "content-length": str(len(REQUEST_BODY)), "accept-encoding": "gzip"}
    if key:
        headers["authorization"] = "Bearer " + key
    return headers


def check(stub, headers):
    """ext_authz: Envoy sends the request's headers (and, with with_request_body, its body)."""
    http = attribute_context_pb2.AttributeContext.HttpRequest(
        id="1", method="POST", path=PATH, host=headers[":authority"], scheme="https", protocol="HTTP/1.1",
        headers=headers, raw_body=REQUEST_BODY, size=len(REQUEST_BODY))
    request = external_auth_pb2.CheckRequest(attributes=attribute_context_pb2.AttributeContext(
        request=attribute_context_pb2.AttributeContext.Request(http=http)))
    return stub.Check(request, timeout=10, metadata=PROXY_METADATA)


def show_secret(name, value):
    # Never print credentials: the provider key the gateway injects is shown by its first characters only.
    return value[:10] + "..." if name in ("authorization", "x-api-key") else value


class Exchange:
    """One ext_proc stream in lock step, as Envoy drives it: each message waits for its one answer."""

    def __init__(self, stub):
        self._outbox = queue.Queue()
        self._answers = stub.Process(iter(self._outbox.get, None), timeout=30, metadata=PROXY_METADATA)

    def send(self, message, expected):
        self._outbox.put(message)
        answer = next(self._answers)
        kind = answer.WhichOneof("response")
        if kind not in (expected, "immediate_response"):
            raise RuntimeError(f"answer {kind} to {message.WhichOneof('request')}: Envoy would treat it as spurious")
        return answer

    def close(self):
        self._outbox.put(None)


def header_map(headers):
    # ext_proc carries header values in raw_value (Envoy 1.28+).
    return base_pb2.HeaderMap(headers=[base_pb2.HeaderValue(key=k, raw_value=v.encode()) for k, v in headers.items()])


def apply(headers, mutation):
    for option in mutation.set_headers:
        headers[option.header.key] = option.header.raw_value.decode()
    for name in mutation.remove_headers:
        headers.pop(name, None)


def main():
    address = sys.argv[1] if len(sys.argv) > 1 else "unix:/tmp/mesh-gateway-envoy.sock"
    key = sys.argv[2] if len(sys.argv) > 2 else "mgw-demo-key"
    summary = {}
    with grpc.insecure_channel(address) as channel:
        authz = external_auth_pb2_grpc.AuthorizationStub(channel)

        # 1. ext_authz with a wrong key: Envoy answers the app itself, with the status and body the sidecar chose.
        denied = check(authz, request_headers("mgw-not-a-key"))
        body = json.loads(denied.denied_response.body)
        print(f"Check, wrong key: DENY (grpc code {denied.status.code}), the app gets HTTP {denied.denied_response.status.code}: "
              f"{denied.denied_response.body}")
        summary["denied_status"] = denied.denied_response.status.code
        summary["denied_code"] = body["error"]["code"]

        # 2. ext_authz with the gateway key: allowed; headers to set and remove on the way upstream, tenant metadata.
        headers = request_headers(key)
        allowed = check(authz, headers)
        ok = allowed.ok_response
        metadata = json_format.MessageToDict(allowed.dynamic_metadata)
        print(f"Check, gateway key: ALLOW (grpc code {allowed.status.code}) for tenant {metadata.get('tenant')}; "
              f"set {', '.join(f'{h.header.key}: {show_secret(h.header.key, h.header.value)}' for h in ok.headers)}; "
              f"remove {', '.join(ok.headers_to_remove) or 'nothing'}")
        summary["allowed"] = allowed.status.code == 0 and allowed.WhichOneof("http_response") == "ok_response"
        summary["tenant"] = metadata.get("tenant")
        summary["gateway_key_forwarded"] = False
        for name in ok.headers_to_remove:
            headers.pop(name, None)
        for option in ok.headers:
            headers[option.header.key] = option.header.value  # ext_authz mutations are read from value
        summary["gateway_key_forwarded"] = any(key in v for v in headers.values())

        # 3. ext_proc: request headers, buffered request body, response headers, response body, on one stream.
        stream = Exchange(ep_grpc.ExternalProcessorStub(channel))
        forwarded = base_pb2.Metadata(filter_metadata={"envoy.filters.http.ext_authz": allowed.dynamic_metadata})
        answer = stream.send(ep.ProcessingRequest(
            request_headers=ep.HttpHeaders(headers=header_map(headers)),
            metadata_context=forwarded,
            protocol_config=ep.ProtocolConfiguration(request_body_mode=BUFFERED, response_body_mode=BUFFERED)), "request_headers")
        mutation = answer.request_headers.response.header_mutation
        apply(headers, mutation)
        print(f"Process request_headers: continue; remove {', '.join(mutation.remove_headers) or 'nothing'}")

        answer = stream.send(ep.ProcessingRequest(request_body=ep.HttpBody(body=REQUEST_BODY, end_of_stream=True)), "request_body")
        common = answer.request_body.response
        apply(headers, common.header_mutation)
        upstream_body = common.body_mutation.body if common.body_mutation.WhichOneof("mutation") == "body" else REQUEST_BODY
        print(f"Process request_body: body {'replaced' if upstream_body != REQUEST_BODY else 'unchanged'} "
              f"({len(REQUEST_BODY)} -> {len(upstream_body)} bytes, content-length {headers.get('content-length')})")
        print(f"  the app sent:        {REQUEST_BODY.decode()}")
        print(f"  the provider gets:   {upstream_body.decode()}")
        sent = json.loads(upstream_body)
        summary["upstream_prompt"] = sent["messages"][0]["content"]
        summary["upstream_content_length"] = headers.get("content-length")
        summary["upstream_body_length"] = len(upstream_body)

        response = {":status": "200", "content-type": "application/json", "content-length": str(len(RESPONSE_BODY))}
        answer = stream.send(ep.ProcessingRequest(response_headers=ep.HttpHeaders(headers=header_map(response))), "response_headers")
        print("Process response_headers: continue")

        answer = stream.send(ep.ProcessingRequest(response_body=ep.HttpBody(body=RESPONSE_BODY, end_of_stream=True)), "response_body")
        usage = json_format.MessageToDict(answer.dynamic_metadata).get("mesh.gateway", {})
        print(f"Process response_body: continue; usage metadata: {usage.get('input_tokens'):.0f} in, "
              f"{usage.get('output_tokens'):.0f} out for tenant {usage.get('tenant')} (provider_reported={usage.get('provider_reported')})")
        stream.close()
        summary["usage"] = {k: usage.get(k) for k in ("tenant", "model", "input_tokens", "output_tokens", "provider_reported")}

    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
