"""A scripted InvokeAgent: real `application/vnd.amazon.eventstream` framing (prelude, headers,
payload, CRCs) carrying the events' real shapes, handed to botocore at `before-send` and parsed
by botocore itself. moto has no bedrock-agent-runtime, and the Stubber cannot carry an event
stream; this is the one stand-in, shared by the engine tests and the IAM contract.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct

from botocore.awsrequest import AWSResponse


def _header(name: str, value: str) -> bytes:
    raw = value.encode()
    return bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(raw)) + raw


def message(event_type: str, payload: dict, message_type: str = "event") -> bytes:
    """One event-stream message, framed as AWS frames it."""
    kind = ":exception-type" if message_type == "exception" else ":event-type"
    headers = (
        _header(":message-type", message_type)
        + _header(kind, event_type)
        + _header(":content-type", "application/json")
    )
    body = json.dumps(payload).encode()
    total = 12 + len(headers) + len(body) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", binascii.crc32(prelude) & 0xFFFFFFFF)
    msg = prelude + headers + body
    return msg + struct.pack(">I", binascii.crc32(msg) & 0xFFFFFFFF)


def chunk(text: str) -> bytes:
    return message("chunk", {"bytes": base64.b64encode(text.encode()).decode()})


def trace(inp: int, out: int) -> bytes:
    usage = {"inputTokens": inp, "outputTokens": out}
    return message(
        "trace",
        {
            "agentId": "AGENT12345",
            "agentAliasId": "ALIAS12345",
            "sessionId": "s",
            "agentVersion": "4",
            "trace": {
                "orchestrationTrace": {
                    "modelInvocationOutput": {"traceId": "t", "metadata": {"usage": usage}}
                }
            },
        },
    )


def return_control(invocation_id: str, function: str, params: dict) -> bytes:
    return message(
        "returnControl",
        {
            "invocationId": invocation_id,
            "invocationInputs": [
                {
                    "functionInvocationInput": {
                        "actionGroup": "booking-tools",
                        "function": function,
                        "actionInvocationType": "RESULT",
                        "parameters": [{"name": k, "type": "string", "value": v} for k, v in params.items()],
                    }
                }
            ],
        },
    )


class _Raw:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **kwargs):
        yield self.data

    def read(self, *args, **kwargs):
        return self.data

    def close(self):
        pass


class Agent:
    """Scripted InvokeAgent answers, in order; records every request body the chat sent."""

    def __init__(self):
        self.answers: list[bytes] = []
        self.requests: list[dict] = []

    def answer(self, *messages: bytes) -> None:
        self.answers.append(b"".join(messages))

    def __call__(self, request, **kwargs):
        self.requests.append({"url": request.url, "body": json.loads(request.body or b"{}")})
        headers = {
            "content-type": "application/vnd.amazon.eventstream",
            "x-amzn-bedrock-agent-content-type": "application/json",
            "x-amz-bedrock-agent-session-id": "s",
        }
        return AWSResponse(request.url, 200, headers, _Raw(self.answers.pop(0)))
