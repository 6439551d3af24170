// The official OpenAI and Anthropic Node SDKs, unmodified but for the base URL, as clients of the sidecar's HTTP door.
// Usage: node sdk.mjs <door base url, e.g. http://127.0.0.1:PORT> <api key> <case> <model>
// Prints one JSON line: what the SDK returned, or {error: {cls, status, retryAfter, message}} for an SDK error.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const [base, apiKey, testCase, model] = process.argv.slice(2);
const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: base, apiKey, maxRetries: 0 });

// A client whose request body is cut short on the wire (the SDKs never send malformed JSON themselves): the SDK is the
// same, only its documented fetch option is wrapped, to see how it takes the gateway's answer to a broken body.
const cut = (input, init) => fetch(input, { ...init, body: String(init.body).slice(0, 20) });
const openaiCut = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0, fetch: cut });
const anthropicCut = new Anthropic({ baseURL: base, apiKey, maxRetries: 0, fetch: cut });
const large = "a".repeat(70000);
const weather = { name: "get_weather", description: "The weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

const cases = {
  async "openai-chat"() {
    const r = await openai.chat.completions.create({ model, messages: [{ role: "user", content: "Say hello" }] });
    return { text: r.choices[0].message.content, finish: r.choices[0].finish_reason, input: r.usage.prompt_tokens, output: r.usage.completion_tokens };
  },
  async "openai-stream"() {
    const stream = await openai.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Say hello" }] });
    let text = "", finish = null, usage = null, events = 0;
    for await (const chunk of stream) {
      events++;
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    return { text, finish, input: usage?.prompt_tokens, output: usage?.completion_tokens, events };
  },
  async "openai-tools"() {
    const r = await openai.chat.completions.create({ model, messages: [{ role: "user", content: "Weather in Paris?" }], tools: [{ type: "function", function: weather }] });
    const call = r.choices[0].message.tool_calls[0];
    return { finish: r.choices[0].finish_reason, name: call.function.name, args: JSON.parse(call.function.arguments) };
  },
  async "openai-embed"() {
    const r = await openai.embeddings.create({ model, input: ["one", "two"] });
    return { count: r.data.length, second: Array.from(r.data[1].embedding), input: r.usage.prompt_tokens };
  },
  async "openai-responses"() {
    const r = await openai.responses.create({ model, input: "Say hello", instructions: "Be brief." });
    return { text: r.output_text, status: r.status, input: r.usage.input_tokens, output: r.usage.output_tokens };
  },
  async "openai-responses-stream"() {
    const stream = await openai.responses.create({ model, input: "Say hello", stream: true });
    let text = "", final = null;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") final = event.response;
    }
    return { text, finalText: final?.output_text ?? final?.output?.[0]?.content?.[0]?.text, input: final?.usage?.input_tokens, output: final?.usage?.output_tokens };
  },
  async "anthropic-message"() {
    const r = await anthropic.messages.create({ model, max_tokens: 64, system: "Be brief.", messages: [{ role: "user", content: "Say hello" }] });
    return { text: r.content.filter(b => b.type === "text").map(b => b.text).join(""), stop: r.stop_reason, input: r.usage.input_tokens, output: r.usage.output_tokens };
  },
  async "anthropic-stream"() {
    const stream = anthropic.messages.stream({ model, max_tokens: 64, messages: [{ role: "user", content: "Say hello" }] });
    let deltas = "";
    stream.on("text", t => { deltas += t; });
    const r = await stream.finalMessage();
    return { text: deltas, finalText: r.content.filter(b => b.type === "text").map(b => b.text).join(""), stop: r.stop_reason, input: r.usage.input_tokens, output: r.usage.output_tokens };
  },
  async "anthropic-tools"() {
    const r = await anthropic.messages.create({ model, max_tokens: 64, messages: [{ role: "user", content: "Weather in Paris?" }], tools: [{ name: weather.name, description: weather.description, input_schema: weather.parameters }] });
    const call = r.content.find(b => b.type === "tool_use");
    return { stop: r.stop_reason, name: call.name, args: call.input };
  },
  async "anthropic-count"() {
    const r = await anthropic.messages.countTokens({ model, messages: [{ role: "user", content: "Hello, world" }] });
    return { input: r.input_tokens, exact: r.exact };
  },
  async "openai-error"() {
    await openai.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });
    return { error: null };
  },
  async "anthropic-error"() {
    await anthropic.messages.create({ model, max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
    return { error: null };
  },
  async "openai-large-error"() {
    await openai.chat.completions.create({ model, messages: [{ role: "user", content: large }] });
    return { error: null };
  },
  async "anthropic-large-error"() {
    await anthropic.messages.create({ model, max_tokens: 16, messages: [{ role: "user", content: large }] });
    return { error: null };
  },
  async "openai-malformed-error"() {
    await openaiCut.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });
    return { error: null };
  },
  async "anthropic-malformed-error"() {
    await anthropicCut.messages.create({ model, max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
    return { error: null };
  },
};

try {
  console.log(JSON.stringify(await cases[testCase]()));
} catch (e) {
  if (e && typeof e.status === "number") {
    console.log(JSON.stringify({ error: { cls: e.constructor.name, status: e.status, retryAfter: e.headers?.get?.("retry-after") ?? null, message: e.message } }));
  } else {
    console.error(e);
    process.exit(1);
  }
}
