#!/usr/bin/python3
"""grpcio interop client: runs one test case and prints "OK: <case>", or exits 1 with the reason.

Usage: /usr/bin/python3 client.py --gen=DIR --server_port=N [--server_host=127.0.0.1] --test_case=NAME
DIR is the output of generate.py. Cases follow grpc/grpc doc/interop-test-descriptions.md, plus health and reflection.
Use Debian's /usr/bin/python3: it has python3-grpcio; other Pythons on the machine may not.
"""
import argparse
import sys
import traceback


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument('--gen', required=True)
    parser.add_argument('--server_host', default='127.0.0.1')
    parser.add_argument('--server_port', required=True, type=int)
    parser.add_argument('--test_case', required=True)
    return parser.parse_args()


ARGS = parse_args()
sys.path.insert(0, ARGS.gen)

import grpc  # noqa: E402
from google.protobuf import descriptor_pb2  # noqa: E402
from src.proto.grpc.health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from src.proto.grpc.reflection.v1 import reflection_pb2 as reflection_v1, reflection_pb2_grpc as reflection_v1_grpc  # noqa: E402
from src.proto.grpc.reflection.v1alpha import reflection_pb2 as reflection_v1alpha  # noqa: E402
from src.proto.grpc.reflection.v1alpha import reflection_pb2_grpc as reflection_v1alpha_grpc  # noqa: E402
from src.proto.grpc.testing import empty_pb2, messages_pb2, test_pb2_grpc  # noqa: E402

TIMEOUT = 20


def expect_status(code, call, message=None):
    try:
        call()
    except grpc.RpcError as err:
        if err.code() != code:
            raise AssertionError(f'expected {code}, got {err.code()} ({err.details()!r})') from err
        if message is not None and err.details() != message:
            raise AssertionError(f'expected message {message!r}, got {err.details()!r}') from err
        return err
    raise AssertionError(f'expected {code}, the call succeeded')


def large_request(**fields):
    return messages_pb2.SimpleRequest(response_size=314159, payload=messages_pb2.Payload(body=bytes(271828)), **fields)


def empty_unary(channel):
    response = test_pb2_grpc.TestServiceStub(channel).EmptyCall(empty_pb2.Empty(), timeout=TIMEOUT)
    assert isinstance(response, empty_pb2.Empty)


def large_unary(channel):
    response = test_pb2_grpc.TestServiceStub(channel).UnaryCall(large_request(), timeout=TIMEOUT)
    assert len(response.payload.body) == 314159


def client_compressed_unary(channel):
    stub = test_pb2_grpc.TestServiceStub(channel)
    expect = lambda value: large_request(expect_compressed=messages_pb2.BoolValue(value=value))  # noqa: E731
    # Probe: an uncompressed request that claims to be compressed must be refused.
    expect_status(grpc.StatusCode.INVALID_ARGUMENT, lambda: stub.UnaryCall(expect(True), timeout=TIMEOUT))
    response = stub.UnaryCall(expect(True), timeout=TIMEOUT, compression=grpc.Compression.Gzip)
    assert len(response.payload.body) == 314159
    response = stub.UnaryCall(expect(False), timeout=TIMEOUT)
    assert len(response.payload.body) == 314159


def server_compressed_unary(channel):
    stub = test_pb2_grpc.TestServiceStub(channel)
    for compressed in (True, False):
        response = stub.UnaryCall(large_request(response_compressed=messages_pb2.BoolValue(value=compressed)), timeout=TIMEOUT)
        assert len(response.payload.body) == 314159


def server_compressed_streaming(channel):
    request = messages_pb2.StreamingOutputCallRequest(response_parameters=[
        messages_pb2.ResponseParameters(size=31415, compressed=messages_pb2.BoolValue(value=True)),
        messages_pb2.ResponseParameters(size=92653, compressed=messages_pb2.BoolValue(value=False)),
    ])
    sizes = [len(r.payload.body) for r in test_pb2_grpc.TestServiceStub(channel).StreamingOutputCall(request, timeout=TIMEOUT)]
    assert sizes == [31415, 92653], sizes


def ping_pong(channel):
    rounds = [(31415, 27182), (9, 8), (2653, 1828), (58979, 45904)]
    requests = iter(messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=response)], payload=messages_pb2.Payload(body=bytes(request)))
        for response, request in rounds)
    sizes = [len(r.payload.body) for r in test_pb2_grpc.TestServiceStub(channel).FullDuplexCall(requests, timeout=TIMEOUT)]
    assert sizes == [r for r, _ in rounds], sizes


def status_code_and_message(channel):
    stub = test_pb2_grpc.TestServiceStub(channel)
    status = messages_pb2.EchoStatus(code=2, message='test status message')
    expect_status(grpc.StatusCode.UNKNOWN, lambda: stub.UnaryCall(messages_pb2.SimpleRequest(response_status=status), timeout=TIMEOUT),
                  'test status message')
    requests = iter([messages_pb2.StreamingOutputCallRequest(response_status=status)])
    expect_status(grpc.StatusCode.UNKNOWN, lambda: list(stub.FullDuplexCall(requests, timeout=TIMEOUT)), 'test status message')


def special_status_message(channel):
    message = '\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n'
    request = messages_pb2.SimpleRequest(response_status=messages_pb2.EchoStatus(code=2, message=message))
    expect_status(grpc.StatusCode.UNKNOWN, lambda: test_pb2_grpc.TestServiceStub(channel).UnaryCall(request, timeout=TIMEOUT), message)


def custom_metadata(channel):
    metadata = (('x-grpc-test-echo-initial', 'test_initial_metadata_value'), ('x-grpc-test-echo-trailing-bin', b'\xab\xab\xab'))
    stub = test_pb2_grpc.TestServiceStub(channel)

    def check(call):
        initial = dict(call.initial_metadata())
        trailing = dict(call.trailing_metadata())
        assert initial.get('x-grpc-test-echo-initial') == 'test_initial_metadata_value', initial
        assert trailing.get('x-grpc-test-echo-trailing-bin') == b'\xab\xab\xab', trailing

    response, call = stub.UnaryCall.with_call(large_request(), metadata=metadata, timeout=TIMEOUT)
    assert len(response.payload.body) == 314159
    check(call)
    requests = iter([messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=314159)], payload=messages_pb2.Payload(body=bytes(271828)))])
    call = stub.FullDuplexCall(requests, metadata=metadata, timeout=TIMEOUT)
    assert [len(r.payload.body) for r in call] == [314159]
    check(call)


def timeout_on_sleeping_server(channel):
    # The server sleeps (interval_us) longer than the deadline: grpc-timeout travels to it and it must not answer late.
    request = messages_pb2.StreamingOutputCallRequest(response_parameters=[messages_pb2.ResponseParameters(size=1, interval_us=5_000_000)])
    stub = test_pb2_grpc.TestServiceStub(channel)
    expect_status(grpc.StatusCode.DEADLINE_EXCEEDED, lambda: list(stub.StreamingOutputCall(request, timeout=0.2)))


def unimplemented_service(channel):
    stub = test_pb2_grpc.UnimplementedServiceStub(channel)
    expect_status(grpc.StatusCode.UNIMPLEMENTED, lambda: stub.UnimplementedCall(empty_pb2.Empty(), timeout=TIMEOUT))


def max_message_size(channel):
    # 5 MiB is over the server's default 4 MiB receive limit.
    request = messages_pb2.SimpleRequest(response_size=1, payload=messages_pb2.Payload(body=bytes(5 * 1024 * 1024)))
    stub = test_pb2_grpc.TestServiceStub(channel)
    expect_status(grpc.StatusCode.RESOURCE_EXHAUSTED, lambda: stub.UnaryCall(request, timeout=TIMEOUT))


def health_check(channel):
    stub = health_pb2_grpc.HealthStub(channel)
    serving = health_pb2.HealthCheckResponse.SERVING
    assert stub.Check(health_pb2.HealthCheckRequest(service=''), timeout=TIMEOUT).status == serving
    assert stub.Check(health_pb2.HealthCheckRequest(service='grpc.testing.TestService'), timeout=TIMEOUT).status == serving
    expect_status(grpc.StatusCode.NOT_FOUND, lambda: stub.Check(health_pb2.HealthCheckRequest(service='no.such.Service'), timeout=TIMEOUT))


def health_watch(channel):
    stub = health_pb2_grpc.HealthStub(channel)
    unknown = stub.Watch(health_pb2.HealthCheckRequest(service='no.such.Service'), timeout=TIMEOUT)
    assert next(unknown).status == health_pb2.HealthCheckResponse.SERVICE_UNKNOWN
    unknown.cancel()

    # XdsUpdateHealthService flips the serving status of grpc.testing.TestService on the interop server.
    toggle = test_pb2_grpc.XdsUpdateHealthServiceStub(channel)
    watch = stub.Watch(health_pb2.HealthCheckRequest(service='grpc.testing.TestService'), timeout=TIMEOUT)
    try:
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
        toggle.SetNotServing(empty_pb2.Empty(), timeout=TIMEOUT)
        assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
        toggle.SetServing(empty_pb2.Empty(), timeout=TIMEOUT)
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
    finally:
        watch.cancel()
        toggle.SetServing(empty_pb2.Empty(), timeout=TIMEOUT)


def reflection(channel):
    for module, stubs in ((reflection_v1, reflection_v1_grpc), (reflection_v1alpha, reflection_v1alpha_grpc)):
        requests = [
            module.ServerReflectionRequest(list_services=''),
            module.ServerReflectionRequest(file_containing_symbol='grpc.testing.TestService'),
            module.ServerReflectionRequest(file_by_filename='grpc/testing/messages.proto'),
            module.ServerReflectionRequest(file_containing_symbol='no.such.Symbol'),
        ]
        listed, by_symbol, by_name, missing = list(stubs.ServerReflectionStub(channel).ServerReflectionInfo(iter(requests), timeout=TIMEOUT))

        names = [s.name for s in listed.list_services_response.service]
        for expected in ('grpc.testing.TestService', 'grpc.health.v1.Health'):
            assert expected in names, names

        files = [descriptor_pb2.FileDescriptorProto.FromString(b) for b in by_symbol.file_descriptor_response.file_descriptor_proto]
        test = next(f for f in files if f.name == 'grpc/testing/test.proto')
        service = next(s for s in test.service if s.name == 'TestService')
        assert any(m.name == 'UnaryCall' and m.input_type == '.grpc.testing.SimpleRequest' for m in service.method)
        assert sorted(test.dependency) == ['grpc/testing/empty.proto', 'grpc/testing/messages.proto'], test.dependency

        messages = descriptor_pb2.FileDescriptorProto.FromString(by_name.file_descriptor_response.file_descriptor_proto[0])
        assert messages.name == 'grpc/testing/messages.proto'
        assert any(m.name == 'SimpleRequest' for m in messages.message_type)

        assert missing.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0], missing


CASES = {f.__name__: f for f in (
    empty_unary, large_unary, client_compressed_unary, server_compressed_unary, server_compressed_streaming, ping_pong,
    status_code_and_message, special_status_message, custom_metadata, timeout_on_sleeping_server, unimplemented_service,
    max_message_size, health_check, health_watch, reflection)}


def main():
    case = CASES.get(ARGS.test_case)
    if case is None:
        sys.exit(f'unknown test case {ARGS.test_case!r} (known: {", ".join(CASES)})')
    with grpc.insecure_channel(f'{ARGS.server_host}:{ARGS.server_port}') as channel:
        case(channel)
    print(f'OK: {ARGS.test_case}')


if __name__ == '__main__':
    try:
        main()
    except Exception:  # noqa: BLE001 - every failure is reported the same way
        traceback.print_exc()
        print(f'FAILED: {ARGS.test_case}', file=sys.stderr)
        sys.exit(1)
