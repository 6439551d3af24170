#!/usr/bin/python3
"""Generates Python stubs for the repository's Envoy subset (protos/envoy/** and protos/google/rpc) into OUT.

Needs Debian's protoc (protobuf-compiler), grpc_python_plugin (protobuf-compiler-grpc) and the well-known types
under /usr/include (libprotobuf-dev). Usage: /usr/bin/python3 gen_stubs.py [OUT]   (default: ./gen next to this file)
Prints OUT.
"""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOS = os.path.normpath(os.path.join(HERE, '..', '..', 'protos'))


def main(out):
    for tool in ('/usr/bin/protoc', '/usr/bin/grpc_python_plugin'):
        if not os.path.exists(tool):
            sys.exit(f'{tool} is missing: apt-get install -y protobuf-compiler protobuf-compiler-grpc libprotobuf-dev')
    os.makedirs(out, exist_ok=True)
    sources = sorted(glob.glob(os.path.join(PROTOS, 'envoy', '**', '*.proto'), recursive=True))
    sources.append(os.path.join(PROTOS, 'google', 'rpc', 'status.proto'))
    subprocess.run(['/usr/bin/protoc', f'-I{PROTOS}', '-I/usr/include', f'--python_out={out}', f'--grpc_out={out}',
                    '--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin',
                    *[os.path.relpath(s, PROTOS) for s in sources]], check=True, cwd=PROTOS)
    print(out)


if __name__ == '__main__':
    main(os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(HERE, 'gen'))
