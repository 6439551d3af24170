// grpc-js interop client: runs one test case against a gRPC server and prints "OK: <case>", or exits 1 with the reason.
// Usage: node client.js --server_port=N [--server_host=127.0.0.1] --test_case=NAME
// Cases follow grpc/grpc doc/interop-test-descriptions.md, plus health and reflection checks.
'use strict';

const path = require('path');
const assert = require('assert');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const descriptor = require('protobufjs/ext/descriptor');

const testingRoot = path.join(__dirname, '..', 'InteropServer', 'Protos');
const grpcRoot = path.join(__dirname, '..', '..', '..', 'protos');

function parseArgs(argv) {
  const args = { server_host: '127.0.0.1' };
  for (const arg of argv) {
    const match = /^--([a-z_]+)=(.*)$/.exec(arg);
    if (!match) {
      throw new Error(`unknown argument '${arg}' (expected --name=value)`);
    }
    args[match[1]] = match[2];
  }
  if (!args.server_port || !args.test_case) {
    throw new Error('--server_port and --test_case are required');
  }
  return args;
}

function load(root, file) {
  const definition = protoLoader.loadSync(file, {
    includeDirs: [root], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true,
  });
  return grpc.loadPackageDefinition(definition);
}

const testing = load(testingRoot, 'grpc/testing/test.proto').grpc.testing;
const health = load(grpcRoot, 'grpc/health/v1/health.proto').grpc.health.v1;
const reflectionV1 = load(grpcRoot, 'grpc/reflection/v1/reflection.proto').grpc.reflection.v1;
const reflectionV1alpha = load(grpcRoot, 'grpc/reflection/v1alpha/reflection.proto').grpc.reflection.v1alpha;

const zeros = (n) => Buffer.alloc(n);
const deadline = (ms) => new Date(Date.now() + ms);
const callOptions = () => ({ deadline: deadline(20000) });

function unary(client, method, request, metadata = new grpc.Metadata(), options = callOptions()) {
  return new Promise((resolve, reject) => {
    client[method](request, metadata, options, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

function readAll(call) {
  return new Promise((resolve, reject) => {
    const messages = [];
    call.on('data', (m) => messages.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(messages));
  });
}

// Every message a stream delivers is queued until a next() takes it. A listener attached per next() call would lose a
// message that arrives between two calls (Node keeps a flowing stream flowing when its 'data' listener is removed): a
// health Watch update can arrive before the answer to the unary call that caused it.
const inboxes = new WeakMap();

function inbox(call) {
  let box = inboxes.get(call);
  if (box === undefined) {
    box = { messages: [], waiters: [], error: null, ended: false };
    box.settle = () => {
      while (box.waiters.length > 0 && (box.messages.length > 0 || box.error !== null || box.ended)) {
        const waiter = box.waiters.shift();
        if (box.messages.length > 0) {
          waiter.resolve(box.messages.shift());
        } else if (box.error !== null) {
          waiter.reject(box.error);
        } else {
          waiter.reject(new Error('stream ended before a message arrived'));
        }
      }
    };
    call.on('data', (m) => { box.messages.push(m); box.settle(); });
    call.on('error', (e) => { box.error = e; box.settle(); });
    call.on('end', () => { box.ended = true; box.settle(); });
    inboxes.set(call, box);
  }

  return box;
}

function next(call) {
  const box = inbox(call);
  return new Promise((resolve, reject) => {
    box.waiters.push({ resolve, reject });
    box.settle();
  });
}

async function expectStatus(promise, code, message) {
  try {
    await promise;
  } catch (err) {
    assert.strictEqual(err.code, code, `expected status ${code}, got ${err.code} (${err.details})`);
    if (message !== undefined) {
      assert.strictEqual(err.details, message);
    }
    return err;
  }
  throw new Error(`expected status ${code}, the call succeeded`);
}

const cases = {
  async empty_unary(ctx) {
    const response = await unary(ctx.test, 'EmptyCall', {});
    assert.ok(response);
  },

  async large_unary(ctx) {
    const response = await unary(ctx.test, 'UnaryCall', { response_size: 314159, payload: { body: zeros(271828) } });
    assert.strictEqual(response.payload.body.length, 314159);
  },

  async client_compressed_unary(ctx) {
    const request = (expect) => ({ response_size: 314159, payload: { body: zeros(271828) }, expect_compressed: { value: expect } });
    // Probe: an uncompressed request that claims to be compressed must be refused.
    await expectStatus(unary(ctx.test, 'UnaryCall', request(true)), grpc.status.INVALID_ARGUMENT);
    const response = await unary(ctx.gzipTest, 'UnaryCall', request(true));
    assert.strictEqual(response.payload.body.length, 314159);
    const plain = await unary(ctx.test, 'UnaryCall', request(false));
    assert.strictEqual(plain.payload.body.length, 314159);
  },

  async server_compressed_unary(ctx) {
    for (const compressed of [true, false]) {
      const response = await unary(ctx.test, 'UnaryCall',
        { response_size: 314159, payload: { body: zeros(271828) }, response_compressed: { value: compressed } });
      assert.strictEqual(response.payload.body.length, 314159);
    }
  },

  async server_compressed_streaming(ctx) {
    const call = ctx.test.StreamingOutputCall({
      response_parameters: [{ size: 31415, compressed: { value: true } }, { size: 92653, compressed: { value: false } }],
    }, callOptions());
    const responses = await readAll(call);
    assert.deepStrictEqual(responses.map((r) => r.payload.body.length), [31415, 92653]);
  },

  async server_streaming(ctx) {
    const sizes = [31415, 9, 2653, 58979];
    const call = ctx.test.StreamingOutputCall({ response_parameters: sizes.map((size) => ({ size })) }, callOptions());
    const responses = await readAll(call);
    assert.deepStrictEqual(responses.map((r) => r.payload.body.length), sizes);
  },

  async client_streaming(ctx) {
    const response = await new Promise((resolve, reject) => {
      const call = ctx.test.StreamingInputCall(callOptions(), (err, r) => (err ? reject(err) : resolve(r)));
      for (const size of [27182, 8, 1828, 45904]) {
        call.write({ payload: { body: zeros(size) } });
      }
      call.end();
    });
    assert.strictEqual(response.aggregated_payload_size, 74922);
  },

  async ping_pong(ctx) {
    const call = ctx.test.FullDuplexCall(callOptions());
    const rounds = [[31415, 27182], [9, 8], [2653, 1828], [58979, 45904]];
    for (const [responseSize, requestSize] of rounds) {
      call.write({ response_parameters: [{ size: responseSize }], payload: { body: zeros(requestSize) } });
      const response = await next(call);
      assert.strictEqual(response.payload.body.length, responseSize);
    }
    call.end();
    assert.deepStrictEqual(await readAll(call), []);
  },

  async empty_stream(ctx) {
    const call = ctx.test.FullDuplexCall(callOptions());
    call.end();
    assert.deepStrictEqual(await readAll(call), []);
  },

  async status_code_and_message(ctx) {
    const status = { code: 2, message: 'test status message' };
    await expectStatus(unary(ctx.test, 'UnaryCall', { response_status: status }), 2, status.message);
    const call = ctx.test.FullDuplexCall(callOptions());
    call.write({ response_status: status });
    call.end();
    await expectStatus(readAll(call), 2, status.message);
  },

  async special_status_message(ctx) {
    const message = '\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \uD83D\uDE08\t\n';
    await expectStatus(unary(ctx.test, 'UnaryCall', { response_status: { code: 2, message } }), 2, message);
  },

  async custom_metadata(ctx) {
    const metadata = () => {
      const m = new grpc.Metadata();
      m.set('x-grpc-test-echo-initial', 'test_initial_metadata_value');
      m.set('x-grpc-test-echo-trailing-bin', Buffer.from([0xab, 0xab, 0xab]));
      return m;
    };
    const check = (initial, trailing) => {
      assert.deepStrictEqual(initial.get('x-grpc-test-echo-initial'), ['test_initial_metadata_value']);
      assert.deepStrictEqual(trailing.get('x-grpc-test-echo-trailing-bin'), [Buffer.from([0xab, 0xab, 0xab])]);
    };

    await new Promise((resolve, reject) => {
      let initial;
      const call = ctx.test.UnaryCall({ response_size: 314159, payload: { body: zeros(271828) } }, metadata(), callOptions(),
        (err) => { if (err) { reject(err); } });
      call.on('metadata', (m) => { initial = m; });
      call.on('status', (s) => {
        try {
          assert.strictEqual(s.code, grpc.status.OK);
          check(initial, s.metadata);
          resolve();
        } catch (e) { reject(e); }
      });
    });

    const call = ctx.test.FullDuplexCall(metadata(), callOptions());
    const initial = new Promise((resolve) => call.on('metadata', resolve));
    const status = new Promise((resolve) => call.on('status', resolve));
    call.write({ response_parameters: [{ size: 314159 }], payload: { body: zeros(271828) } });
    call.end();
    const responses = await readAll(call);
    assert.deepStrictEqual(responses.map((r) => r.payload.body.length), [314159]);
    const s = await status;
    assert.strictEqual(s.code, grpc.status.OK);
    check(await initial, s.metadata);
  },

  async timeout_on_sleeping_server(ctx) {
    const call = ctx.test.FullDuplexCall({ deadline: deadline(1) });
    call.on('error', () => {});
    call.write({ payload: { body: zeros(27182) } });
    await expectStatus(readAll(call), grpc.status.DEADLINE_EXCEEDED);
  },

  async cancel_after_first_response(ctx) {
    const call = ctx.test.FullDuplexCall(callOptions());
    call.write({ response_parameters: [{ size: 31415 }], payload: { body: zeros(27182) } });
    const response = await next(call);
    assert.strictEqual(response.payload.body.length, 31415);
    const done = expectStatus(readAll(call), grpc.status.CANCELLED);
    call.cancel();
    await done;
  },

  async unimplemented_method(ctx) {
    await expectStatus(unary(ctx.test, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
  },

  async unimplemented_service(ctx) {
    const client = new testing.UnimplementedService(ctx.address, grpc.credentials.createInsecure());
    await expectStatus(unary(client, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
  },

  async health_check(ctx) {
    const client = new health.Health(ctx.address, grpc.credentials.createInsecure());
    assert.strictEqual((await unary(client, 'Check', { service: '' })).status, 'SERVING');
    assert.strictEqual((await unary(client, 'Check', { service: 'grpc.testing.TestService' })).status, 'SERVING');
    await expectStatus(unary(client, 'Check', { service: 'no.such.Service' }), grpc.status.NOT_FOUND);
  },

  async health_watch(ctx) {
    const client = new health.Health(ctx.address, grpc.credentials.createInsecure());
    const unknown = client.Watch({ service: 'no.such.Service' }, callOptions());
    unknown.on('error', () => {});
    assert.strictEqual((await next(unknown)).status, 'SERVICE_UNKNOWN');
    unknown.cancel();

    // XdsUpdateHealthService flips the serving status of grpc.testing.TestService on the interop server.
    const toggle = new testing.XdsUpdateHealthService(ctx.address, grpc.credentials.createInsecure());
    const watch = client.Watch({ service: 'grpc.testing.TestService' }, callOptions());
    watch.on('error', () => {});
    try {
      assert.strictEqual((await next(watch)).status, 'SERVING');
      await unary(toggle, 'SetNotServing', {});
      assert.strictEqual((await next(watch)).status, 'NOT_SERVING');
      await unary(toggle, 'SetServing', {});
      assert.strictEqual((await next(watch)).status, 'SERVING');
    } finally {
      watch.cancel();
      await unary(toggle, 'SetServing', {});
    }
  },

  async reflection(ctx) {
    for (const reflection of [reflectionV1, reflectionV1alpha]) {
      await checkReflection(new reflection.ServerReflection(ctx.address, grpc.credentials.createInsecure()));
    }
  },
};

async function checkReflection(client) {
  const call = client.ServerReflectionInfo(callOptions());
  const ask = async (request) => {
    call.write(request);
    return next(call);
  };

  const listed = await ask({ list_services: '' });
  const names = listed.list_services_response.service.map((s) => s.name);
  for (const expected of ['grpc.testing.TestService', 'grpc.health.v1.Health']) {
    assert.ok(names.includes(expected), `list_services lacks ${expected}: ${names.join(', ')}`);
  }

  const bySymbol = await ask({ file_containing_symbol: 'grpc.testing.TestService' });
  const files = bySymbol.file_descriptor_response.file_descriptor_proto.map((bytes) => descriptor.FileDescriptorProto.decode(bytes));
  const test = files.find((f) => f.name === 'grpc/testing/test.proto');
  assert.ok(test, `file_containing_symbol returned ${files.map((f) => f.name).join(', ')}`);
  const service = test.service.find((s) => s.name === 'TestService');
  assert.ok(service.method.some((m) => m.name === 'UnaryCall' && m.inputType === '.grpc.testing.SimpleRequest'));
  assert.deepStrictEqual([...test.dependency].sort(), ['grpc/testing/empty.proto', 'grpc/testing/messages.proto']);

  const byName = await ask({ file_by_filename: 'grpc/testing/messages.proto' });
  const messages = descriptor.FileDescriptorProto.decode(byName.file_descriptor_response.file_descriptor_proto[0]);
  assert.strictEqual(messages.name, 'grpc/testing/messages.proto');
  assert.ok(messages.messageType.some((m) => m.name === 'SimpleRequest'));

  const missing = await ask({ file_containing_symbol: 'no.such.Symbol' });
  assert.strictEqual(missing.error_response.error_code, grpc.status.NOT_FOUND);
  call.end();
  await readAll(call);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const run = cases[args.test_case];
  if (!run) {
    throw new Error(`unknown test case '${args.test_case}' (known: ${Object.keys(cases).join(', ')})`);
  }
  const address = `${args.server_host}:${args.server_port}`;
  const ctx = {
    address,
    test: new testing.TestService(address, grpc.credentials.createInsecure()),
    gzipTest: new testing.TestService(address, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2 }),
  };
  await run(ctx);
  console.log(`OK: ${args.test_case}`);
}

main().then(() => process.exit(0), (err) => {
  console.error(`FAILED: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
