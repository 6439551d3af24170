"""Calls the sidecar's Inference API: CountTokens, Generate, then GenerateStream.

Usage: /usr/bin/python3 generate.py [ADDRESS] [MODEL]   (defaults: 127.0.0.1:50051, mock)
Needs the stubs generated into ./gen (see README.md) or into the folder named by MESH_STUBS.
Prints the answers, then one JSON line with what it saw (the tests read that line).
"""
import json
import os
import sys

sys.path.insert(0, os.environ.get("MESH_STUBS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen")))

import grpc  # noqa: E402
from mesh.gateway.v1 import inference_pb2 as pb  # noqa: E402
from mesh.gateway.v1 import inference_pb2_grpc as rpc  # noqa: E402


def main() -> int:
    address = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051"
    model = sys.argv[2] if len(sys.argv) > 2 else "mock"
    request = pb.GenerateRequest(
        model=model,
        messages=[pb.Message(role=pb.ROLE_USER, content=[pb.ContentPart(text="Say hello in five words.")])],
        max_output_tokens=64,
    )
    with grpc.insecure_channel(address) as channel:
        stub = rpc.InferenceStub(channel)

        count = stub.CountTokens(pb.CountTokensRequest(model=model, messages=request.messages), timeout=30)
        print(f"CountTokens: {count.token_count} prompt tokens for {count.provider}/{count.provider_model} "
              f"({'exact' if count.exact else 'estimate: ' + ', '.join(count.estimated_parts)}, {count.encoding})")

        response = stub.Generate(request, timeout=30)
        print(f"Generate: {response.text!r} ({response.usage.input_tokens} in, {response.usage.output_tokens} out, "
              f"served by {response.provider}/{response.provider_model})")

        streamed = []
        final = None
        for chunk in stub.GenerateStream(request, timeout=30):
            streamed.append(chunk.text)
            if chunk.finish_reason != pb.FINISH_REASON_UNSPECIFIED:
                final = chunk
        text = "".join(streamed)
        print(f"GenerateStream: {text!r} in {len(streamed)} chunks, finish {pb.FinishReason.Name(final.finish_reason)}, "
              f"{final.usage.output_tokens} tokens out")

    print(json.dumps({
        "count_tokens": count.token_count,
        "count_exact": count.exact,
        "generate_text": response.text,
        "generate_output_tokens": response.usage.output_tokens,
        "stream_text": text,
        "stream_chunks": len(streamed),
        "stream_finish_reason": pb.FinishReason.Name(final.finish_reason),
        "stream_output_tokens": final.usage.output_tokens,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
