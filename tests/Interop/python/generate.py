#!/usr/bin/python3
"""Generates Python stubs for the interop, health and reflection protos into OUT (run by the interop tests).

The protos are copied under src/proto/... first: generating them at grpc/... would create a `grpc` package that
shadows grpcio itself ("No module named 'grpc.testing'"), which is why upstream uses this layout too.
Needs Debian's protoc (protobuf-compiler) and grpc_python_plugin (protobuf-compiler-grpc).
Usage: /usr/bin/python3 generate.py OUT
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
SOURCES = {
    'grpc/testing/test.proto': os.path.join(HERE, '..', 'InteropServer', 'Protos'),
    'grpc/testing/messages.proto': os.path.join(HERE, '..', 'InteropServer', 'Protos'),
    'grpc/testing/empty.proto': os.path.join(HERE, '..', 'InteropServer', 'Protos'),
    'grpc/health/v1/health.proto': os.path.join(REPO, 'protos'),
    'grpc/reflection/v1/reflection.proto': os.path.join(REPO, 'protos'),
    'grpc/reflection/v1alpha/reflection.proto': os.path.join(REPO, 'protos'),
}


def main(out):
    for tool in ('/usr/bin/protoc', '/usr/bin/grpc_python_plugin'):
        if not os.path.exists(tool):
            sys.exit(f'{tool} is missing: apt-get install -y protobuf-compiler protobuf-compiler-grpc')
    protos = os.path.join(out, 'protos')
    gen = os.path.join(out, 'gen')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(gen)
    targets = []
    for name, root in SOURCES.items():
        with open(os.path.join(root, name), encoding='utf-8') as f:
            text = f.read().replace('import "grpc/', 'import "src/proto/grpc/')
        target = os.path.join(protos, 'src', 'proto', name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, 'w', encoding='utf-8') as f:
            f.write(text)
        targets.append(os.path.join('src', 'proto', name))
    subprocess.run(['/usr/bin/protoc', f'-I{protos}', f'--python_out={gen}', f'--grpc_out={gen}',
                    '--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin', *targets], check=True, cwd=protos)
    print(gen)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: generate.py OUT')
    main(sys.argv[1])
