#!/usr/bin/env python3
"""Derives expected.json from the recordings: what each recorded body or stream contains (text, tool calls, finish
reason, usage, or the error it ends with), in the gateway's unified conventions.

This is a deliberately separate, naive reading of the recordings (whole-file parsing with Python's json module, final
objects where the provider sends them) so the C# translators are checked against something they did not produce.
Run from this folder: python3 make_expected.py  (no network; needs PyYAML)."""
import json, os, re, struct, glob
import yaml  # PyYAML, only to read the cassettes

ROOT = os.path.dirname(os.path.abspath(__file__)) + "/.."

def usage(i=0, o=0, cached=0, reasoning=0):
    return {"input": i, "output": o, "cached": cached, "reasoning": reasoning}

def result(text="", calls=None, finish=None, u=None, error=None):
    return {"text": text, "tool_calls": calls or [], "finish": finish, "usage": u, "error": error}

def args(s):
    """Arguments as JSON when they parse; the raw text when the model (or a cut-off stream) left them broken."""
    s = s if isinstance(s, str) else json.dumps(s)
    if not s.strip(): return {}
    try:
        return json.loads(s)
    except json.JSONDecodeError:
        return s

# ---------- OpenAI chat completions ----------
OPENAI_FINISH = {"stop": "Stop", "length": "Length", "tool_calls": "ToolCalls", "function_call": "ToolCalls", "content_filter": "ContentFilter"}
def openai_usage(u):
    if not u: return None
    return usage(u.get("prompt_tokens", 0), u.get("completion_tokens", 0),
                 ((u.get("prompt_tokens_details") or {}).get("cached_tokens") or 0),
                 ((u.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0))

def openai_chat_body(b):
    c = b["choices"][0]; m = c["message"]
    calls = [{"id": t["id"], "name": t["function"]["name"], "arguments": args(t["function"]["arguments"])} for t in (m.get("tool_calls") or [])]
    refusal = m.get("refusal") is not None and m.get("content") is None
    return result(m.get("content") or m.get("refusal") or "", calls, "ContentFilter" if refusal else OPENAI_FINISH.get(c["finish_reason"], "Other"), openai_usage(b.get("usage")) or usage())

def openai_chat_stream(events, done):
    text, calls, finish, u = "", {}, None, None
    for e in events:
        if e == "[DONE]": continue
        d = json.loads(e)
        if isinstance(d.get("error"), dict):
            return result(text, list(calls.values()), finish, u, {"message": d["error"].get("message")})
        if d.get("usage"): u = openai_usage(d["usage"])
        for c in d.get("choices") or []:
            delta = c.get("delta") or {}
            text += delta.get("content") or delta.get("refusal") or ""
            for i, t in enumerate(delta.get("tool_calls") or []):
                k = t.get("index", i)
                cur = calls.setdefault(k, {"id": None, "name": None, "arguments": ""})
                cur["id"] = cur["id"] or t.get("id"); f = t.get("function") or {}
                cur["name"] = cur["name"] or f.get("name"); cur["arguments"] += f.get("arguments") or ""
            if c.get("finish_reason") and finish is None: finish = OPENAI_FINISH.get(c["finish_reason"], "Other")
    for c in calls.values(): c["arguments"] = args(c["arguments"])
    err = None if done else {"message": "the stream ended before the provider finished its response"}
    return result(text, [calls[k] for k in sorted(calls)], finish, u or usage(), err)

# ---------- OpenAI Responses ----------
def responses_usage(u):
    if not u: return usage()
    return usage(u.get("input_tokens", 0), u.get("output_tokens", 0), ((u.get("input_tokens_details") or {}).get("cached_tokens") or 0),
                 ((u.get("output_tokens_details") or {}).get("reasoning_tokens") or 0))

def responses_body(r):
    if r.get("status") == "failed" and r.get("error"):
        return result(error={"message": r["error"].get("message")})
    text, calls, refused = "", [], False
    for item in r.get("output") or []:
        if item.get("type") == "message":
            for c in item.get("content") or []:
                if c.get("type") == "output_text": text += c.get("text") or ""
                if c.get("type") == "refusal": text += c.get("refusal") or ""; refused = True
        elif item.get("type") == "function_call":
            calls.append({"id": item.get("call_id"), "name": item.get("name"), "arguments": args(item.get("arguments") or "")})
    if r.get("status") == "incomplete":
        finish = {"max_output_tokens": "Length", "content_filter": "ContentFilter"}.get((r.get("incomplete_details") or {}).get("reason"), "Other")
    elif refused: finish = "ContentFilter"
    elif calls: finish = "ToolCalls"
    elif r.get("status") == "completed": finish = "Stop"
    else: finish = "Other"
    return result(text, calls, finish, responses_usage(r.get("usage")))

def responses_stream(events):
    """Text from the output_text/refusal deltas, calls from the finished function_call items, finish and usage from the
    final response object (recordings abridge the final object's output, so it is not used for text)."""
    text, calls = "", []
    for e in events:
        if e == "[DONE]": continue
        try:
            d = json.loads(e)
        except json.JSONDecodeError:
            return result(error={"message": "invalid JSON", "kind": "MalformedResponse"})
        t = d.get("type")
        if t in ("response.output_text.delta", "response.refusal.delta"): text += d.get("delta") or ""
        elif t == "response.output_item.done" and d["item"].get("type") == "function_call":
            it = d["item"]; calls.append({"id": it.get("call_id"), "name": it.get("name"), "arguments": args(it.get("arguments") or "")})
        elif t == "error":
            err = d.get("error") if isinstance(d.get("error"), dict) else d
            return result(error={"message": err.get("message")})
        elif t == "response.failed":
            return result(error={"message": d["response"]["error"]["message"]})
        elif t in ("response.completed", "response.incomplete"):
            r = d["response"]; final = responses_body(r)
            if r.get("status") == "incomplete": finish = final["finish"]
            else: finish = "ToolCalls" if calls else "Stop"
            return result(text, calls, finish, final["usage"])
    return result(error={"message": "the stream ended before the provider finished its response"})

# ---------- Anthropic ----------
ANTHROPIC_FINISH = {"end_turn": "Stop", "stop_sequence": "Stop", "max_tokens": "Length", "model_context_window_exceeded": "Length", "tool_use": "ToolCalls", "refusal": "ContentFilter"}
def anthropic_usage(start, final):
    def g(k):
        for src in (final or {}, start or {}):
            if src.get(k) is not None: return src[k]
        return 0
    read, write = g("cache_read_input_tokens"), g("cache_creation_input_tokens")
    return usage(g("input_tokens") + read + write, g("output_tokens"), read, 0)

def anthropic_body(b):
    text = "".join(c.get("text", "") for c in b["content"] if c["type"] == "text")
    calls = [{"id": c["id"], "name": c["name"], "arguments": c.get("input") or {}} for c in b["content"] if c["type"] == "tool_use"]
    return result(text, calls, ANTHROPIC_FINISH.get(b.get("stop_reason"), "Other"), anthropic_usage(b.get("usage"), None))

def anthropic_stream(events):
    text, calls, blocks, start, final, stop, done = "", [], {}, None, None, None, False
    for e in events:
        d = json.loads(e)
        t = d.get("type")
        if t == "error": return result(text, calls, None, None, {"message": d["error"]["message"]})
        if t == "message_start": start = d["message"].get("usage")
        elif t == "content_block_start" and d["content_block"]["type"] == "tool_use":
            blocks[d["index"]] = {"id": d["content_block"]["id"], "name": d["content_block"]["name"], "arguments": ""}
            calls.append(blocks[d["index"]])
        elif t == "content_block_delta":
            dl = d["delta"]
            if dl["type"] == "text_delta": text += dl["text"]
            elif dl["type"] == "input_json_delta" and d["index"] in blocks: blocks[d["index"]]["arguments"] += dl["partial_json"]
        elif t == "message_delta":
            stop = d["delta"].get("stop_reason") or stop; final = d.get("usage") or final
        elif t == "message_stop": done = True
    for c in calls: c["arguments"] = args(c["arguments"])
    if not done: return result(text, calls, None, None, {"message": "the stream ended before the provider finished its response"})
    return result(text, calls, ANTHROPIC_FINISH.get(stop, "Other"), anthropic_usage(start, final))

# ---------- Gemini ----------
GEMINI_FILTER = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"}
def gemini_finish(r, calls):
    if r == "STOP": return "ToolCalls" if calls else "Stop"
    if r == "MAX_TOKENS": return "Length"
    if r in GEMINI_FILTER: return "ContentFilter"
    return "Other"

def gemini_usage(u):
    if not u: return usage()
    return usage(u.get("promptTokenCount", 0) + u.get("toolUsePromptTokenCount", 0), u.get("candidatesTokenCount", 0) + u.get("thoughtsTokenCount", 0),
                 u.get("cachedContentTokenCount", 0), u.get("thoughtsTokenCount", 0))

def set_path(obj, path, piece):
    keys = re.findall(r"\.([^.\[]+)|\[(\d+)\]", path)
    keys = [int(b) if b else a for a, b in keys]
    cur = obj
    for i, k in enumerate(keys[:-1]):
        nxt = [] if isinstance(keys[i + 1], int) else {}
        if isinstance(cur, list):
            while len(cur) <= k: cur.append(None)
            if cur[k] is None: cur[k] = nxt
            cur = cur[k]
        else:
            cur = cur.setdefault(k, nxt)
    k = keys[-1]
    if "stringValue" in piece: val = piece["stringValue"]
    elif "numberValue" in piece: val = piece["numberValue"]
    elif "boolValue" in piece: val = piece["boolValue"]
    else: val = None
    if isinstance(cur, list):
        while len(cur) <= k: cur.append(None)
        old = cur[k]
    else:
        old = cur.get(k)
    if isinstance(val, str) and isinstance(old, str): val = old + val
    if isinstance(cur, list): cur[k] = val
    else: cur[k] = val

def gemini_stream(events):
    text, calls, finish, u, pending = "", [], None, None, None
    for e in events:
        d = json.loads(e)
        if isinstance(d.get("error"), dict): return result(text, calls, finish, u, {"message": d["error"]["message"]})
        if d.get("usageMetadata", {}).get("promptTokenCount") is not None: u = gemini_usage(d["usageMetadata"])
        cands = d.get("candidates") or []
        for p in ((cands[0].get("content") or {}).get("parts") or []) if cands else []:
            fc = p.get("functionCall")
            if fc is not None:
                if "args" in fc:
                    calls.append({"id": fc.get("id") or "call_%d" % len(calls), "name": fc["name"], "arguments": fc["args"]})
                    continue
                if fc.get("name") and pending is None: pending = {"id": fc.get("id") or "call_%d" % len(calls), "name": fc["name"], "arguments": {}}
                for piece in fc.get("partialArgs") or []: set_path(pending["arguments"], piece["jsonPath"], piece)
                if not fc.get("willContinue") and not fc.get("partialArgs") and pending is not None:
                    calls.append(pending); pending = None
            elif not p.get("thought"):
                text += p.get("text") or ""
        if cands and cands[0].get("finishReason") and finish is None:
            if pending is not None: calls.append(pending); pending = None  # a finish also ends a call still being streamed
            finish = gemini_finish(cands[0]["finishReason"], calls)
        if not cands and (d.get("promptFeedback") or {}).get("blockReason") and finish is None: finish = "ContentFilter"
    if finish is None: return result(text, calls, None, None, {"message": "the stream ended before the provider finished its response"})
    return result(text, calls, finish, u or usage())

def gemini_body(b):
    if isinstance(b.get("error"), dict): return result(error={"message": b["error"]["message"]})
    c = b["candidates"][0]
    parts = (c.get("content") or {}).get("parts") or []
    calls = [{"id": p["functionCall"].get("id") or "call_%d" % i, "name": p["functionCall"]["name"], "arguments": p["functionCall"].get("args") or {}}
             for i, p in enumerate([p for p in parts if "functionCall" in p])]
    text = "".join(p.get("text", "") for p in parts if "functionCall" not in p and not p.get("thought"))
    return result(text, calls, gemini_finish(c.get("finishReason"), calls), gemini_usage(b.get("usageMetadata")))

# ---------- Bedrock Converse ----------
BEDROCK_FINISH = {"end_turn": "Stop", "stop_sequence": "Stop", "max_tokens": "Length", "model_context_window_exceeded": "Length", "tool_use": "ToolCalls", "content_filtered": "ContentFilter", "guardrail_intervened": "ContentFilter"}
def bedrock_usage(u):
    if not u: return usage()
    r, w = u.get("cacheReadInputTokens", 0), u.get("cacheWriteInputTokens", 0)
    return usage(u.get("inputTokens", 0) + r + w, u.get("outputTokens", 0), r, 0)

def bedrock_body(b):
    content = b["output"]["message"]["content"]
    text = "".join(c.get("text", "") for c in content if "text" in c)
    calls = [{"id": c["toolUse"]["toolUseId"], "name": c["toolUse"]["name"], "arguments": c["toolUse"].get("input") or {}} for c in content if "toolUse" in c]
    return result(text, calls, BEDROCK_FINISH.get(b.get("stopReason"), "Other"), bedrock_usage(b.get("usage")))

def bedrock_stream(events):
    text, calls, blocks, stop, u, stopped = "", [], {}, None, None, False
    for kind, d in events:
        if kind.startswith("exception:"): return result(text, calls, None, None, {"message": d.get("message") or d.get("Message")})
        if kind == "contentBlockStart" and "toolUse" in (d.get("start") or {}):
            t = d["start"]["toolUse"]; blocks[d["contentBlockIndex"]] = {"id": t["toolUseId"], "name": t["name"], "arguments": ""}; calls.append(blocks[d["contentBlockIndex"]])
        elif kind == "contentBlockDelta":
            dl = d["delta"]
            if "text" in dl: text += dl["text"]
            elif "toolUse" in dl and d["contentBlockIndex"] in blocks: blocks[d["contentBlockIndex"]]["arguments"] += dl["toolUse"].get("input") or ""
        elif kind == "messageStop": stop = d.get("stopReason"); stopped = True
        elif kind == "metadata": u = bedrock_usage(d.get("usage"))
    for c in calls: c["arguments"] = args(c["arguments"])
    if not stopped: return result(text, calls, None, None, {"message": "the stream ended before the provider finished its response"})
    return result(text, calls, BEDROCK_FINISH.get(stop, "Other"), u or usage())

def read_eventstream(path):
    data, i, out = open(path, "rb").read(), 0, []
    while i < len(data):
        total, hlen = struct.unpack(">II", data[i:i + 8]); h = data[i + 12:i + 12 + hlen]; payload = data[i + 12 + hlen:i + total - 4]
        j, headers = 0, {}
        while j < len(h):
            n = h[j]; name = h[j + 1:j + 1 + n].decode(); t = h[j + 1 + n]; j += 2 + n
            assert t == 7; ln = struct.unpack(">H", h[j:j + 2])[0]; headers[name] = h[j + 2:j + 2 + ln].decode(); j += 2 + ln
        kind = headers.get(":event-type") if headers.get(":message-type") == "event" else "exception:" + headers.get(":exception-type", "")
        out.append((kind, json.loads(payload)))
        i += total
    return out

# ---------- SSE (whole-body, not incremental) ----------
def sse_events(raw):
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    done_by_blank = raw.endswith("\n\n")
    events = []
    for block in raw.split("\n\n"):
        data = [l[5:].lstrip(" ") if l.startswith("data:") else None for l in block.split("\n")]
        data = [x for x in data if x is not None]
        if data: events.append("\n".join(data))
    return events, done_by_blank

def cassette_interactions(path):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    for i in doc["interactions"]:
        r = i["response"]
        ct = ",".join((r.get("headers") or {}).get("Content-Type") or ["application/json"])
        yield {"status": r["code"], "response_body": r["body"], "content_type": ct}

cases = []
def add(fixture, replay, schema, expect, status=200, **extra):
    cases.append(dict(fixture=fixture, replay=replay, schema=schema, status=status, expect=expect, **extra))

# raw-sse
index = json.load(open(ROOT + "/raw-sse/index.json"))
for e in index:
    f = "raw-sse/" + e["file"]; uri = e["uri"]
    events, _ = sse_events(open(ROOT + "/" + f, encoding="utf-8").read())
    if "/chat/completions" in uri:
        add(f, "sse", "openai-chat" if e["provider"] == "openai" else "openai-compatible", openai_chat_stream(events, "[DONE]" in events))
    elif "/responses" in uri:
        add(f, "sse", "openai-responses", responses_stream(events))
    elif e["provider"] == "anthropic":
        add(f, "sse", "anthropic", anthropic_stream(events))
    elif e["provider"] == "gemini":
        add(f, "sse", "gemini", gemini_stream(events))
    # /v1/completions (legacy text completions) is not a supported API.

# vercel chunk files and bodies
V = "vercel-ai-fixtures/"
schema_of = {"openai-chat": "openai-chat", "azure": "openai-responses", "openai-responses": "openai-responses", "anthropic": "anthropic", "google": "gemini", "amazon-bedrock": "bedrock"}
for d, schema in schema_of.items():
    for path in sorted(glob.glob(ROOT + "/" + V + d + "/*.chunks.txt")):
        f = os.path.relpath(path, ROOT)
        lines = [l for l in open(path, encoding="utf-8").read().split("\n") if l.strip()]
        if schema == "openai-chat": exp = openai_chat_stream(lines, True)
        elif schema == "openai-responses": exp = responses_stream(lines)
        elif schema == "anthropic": exp = anthropic_stream(lines)
        elif schema == "gemini": exp = gemini_stream(lines)
        else:
            evs = []
            for l in lines:
                o = json.loads(l); (k, v), = o.items(); evs.append((k, v))
            exp = bedrock_stream(evs)
        add(f, "chunks", schema, exp)
    for path in sorted(glob.glob(ROOT + "/" + V + d + "/*.json")):
        f = os.path.relpath(path, ROOT)
        b = json.load(open(path, encoding="utf-8"))
        schema = "openai-chat" if "choices" in b else schema_of[d]
        if "error" in b and isinstance(b["error"], dict):
            status = b["error"].get("code") if isinstance(b["error"].get("code"), int) else (429 if "quota" in json.dumps(b) else 400)
            add(f, "json", schema, result(error={"message": b["error"]["message"]}), status=status)
            continue
        if schema == "openai-chat": exp = openai_chat_body(b)
        elif schema == "openai-responses": exp = responses_body(b)
        elif schema == "anthropic": exp = anthropic_body(b)
        elif schema == "gemini": exp = gemini_body(b)
        else: exp = bedrock_body(b)
        add(f, "json", schema, exp)

# bedrock event-stream bodies
for path in sorted(glob.glob(ROOT + "/bedrock-eventstream-bin/*.bin")):
    add(os.path.relpath(path, ROOT), "eventstream", "bedrock", bedrock_stream(read_eventstream(path)))

# cassettes (chat and Azure chat)
for path in sorted(glob.glob(ROOT + "/envoy-ai-gateway-cassettes/*chat*.yaml")):
    f = os.path.relpath(path, ROOT)
    for n, it in enumerate(cassette_interactions(path)):
        status, body, ctype = it["status"], it["response_body"], it["content_type"]
        schema = "azure-openai" if "azure" in f else "openai-chat"
        if status >= 400:
            exp = result(error={"message": json.loads(body)["error"]["message"]})
        elif "event-stream" in ctype:
            events, _ = sse_events(body)
            exp = openai_chat_stream(events, "[DONE]" in events)
        else:
            exp = openai_chat_body(json.loads(body))
        add(f, "cassette", schema, exp, status=status, interaction=n, stream="event-stream" in ctype)

json.dump({"_about": __doc__, "cases": cases}, open("expected.json", "w", encoding="utf-8"), indent=1, ensure_ascii=False)
print(len(cases), "cases")
