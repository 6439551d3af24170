// Calls the sidecar's Inference API: Generate, then GenerateStream.
// Usage: node generate.js [ADDRESS] [MODEL]   (defaults: 127.0.0.1:50051, mock)
// Prints the answers, then one JSON line with what it saw (the tests read that line).
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const protos = path.resolve(__dirname, '..', '..', 'protos');
const definition = protoLoader.loadSync('mesh/gateway/v1/inference.proto', {
  includeDirs: [protos],
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
});
const { Inference } = grpc.loadPackageDefinition(definition).mesh.gateway.v1;

const address = process.argv[2] || '127.0.0.1:50051';
const model = process.argv[3] || 'mock';
const client = new Inference(address, grpc.credentials.createInsecure());
const request = {
  model,
  messages: [{ role: 'ROLE_USER', content: [{ text: 'Say hello in five words.' }] }],
  max_output_tokens: 64,
};
const deadline = () => new Date(Date.now() + 30_000);

function generate() {
  return new Promise((resolve, reject) =>
    client.Generate(request, { deadline: deadline() }, (err, response) => (err ? reject(err) : resolve(response))));
}

function generateStream() {
  return new Promise((resolve, reject) => {
    const texts = [];
    let final = null;
    const call = client.GenerateStream(request, { deadline: deadline() });
    call.on('data', (chunk) => {
      texts.push(chunk.text);
      if (chunk.finish_reason !== 'FINISH_REASON_UNSPECIFIED') final = chunk;
    });
    call.on('error', reject);
    call.on('end', () => resolve({ texts, final }));
  });
}

(async () => {
  const response = await generate();
  console.log(`Generate: ${JSON.stringify(response.text)} (${response.usage.input_tokens} in, ${response.usage.output_tokens} out, served by ${response.provider}/${response.provider_model})`);
  const { texts, final } = await generateStream();
  const text = texts.join('');
  console.log(`GenerateStream: ${JSON.stringify(text)} in ${texts.length} chunks, finish ${final.finish_reason}, ${final.usage.output_tokens} tokens out`);
  console.log(JSON.stringify({
    generate_text: response.text,
    generate_output_tokens: response.usage.output_tokens,
    stream_text: text,
    stream_chunks: texts.length,
    stream_finish_reason: final.finish_reason,
    stream_output_tokens: final.usage.output_tokens,
  }));
  client.close();
})().catch((err) => {
  console.error(`${err.code} ${err.details || err.message}`);
  process.exit(1);
});
