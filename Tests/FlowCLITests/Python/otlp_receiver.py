"""An OTLP/HTTP trace receiver for flow's tests: takes POST /v1/traces with JSON bodies and
parses each with opentelemetry-proto's own ExportTraceServiceRequest (google.protobuf's
json_format, which refuses unknown fields and wrong types), after turning the hex trace and span
ids the OTLP JSON encoding uses into the base64 protobuf's JSON mapping expects. Accepted
requests are appended to OUT as one JSON line each (the parsed message, ids back in hex);
a body that does not parse is answered 400 and recorded as {"error": …}.

Usage: otlp_receiver.py OUT [--status N] [--delay SECONDS]; prints the port on its first line."""
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

out = sys.argv[1]
status = int(sys.argv[sys.argv.index("--status") + 1]) if "--status" in sys.argv else 200
delay = float(sys.argv[sys.argv.index("--delay") + 1]) if "--delay" in sys.argv else 0.0
lock = threading.Lock()


def hex_to_base64(body):
    for resource in body.get("resourceSpans", []):
        for scope in resource.get("scopeSpans", []):
            for span in scope.get("spans", []):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
    return body


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        time.sleep(delay)
        record = {"path": self.path, "content_type": self.headers.get("Content-Type"), "headers": {k.lower(): v for k, v in self.headers.items()}}
        try:
            if self.headers.get("Content-Type") != "application/json":
                raise ValueError("Content-Type is not application/json")
            message = json_format.Parse(json.dumps(hex_to_base64(json.loads(raw))), trace_service_pb2.ExportTraceServiceRequest())
            parsed = json_format.MessageToDict(message)
            for resource in parsed.get("resourceSpans", []):
                for scope in resource.get("scopeSpans", []):
                    for span in scope.get("spans", []):
                        for key in ("traceId", "spanId", "parentSpanId"):
                            if key in span:
                                span[key] = base64.b64decode(span[key]).hex()
            record["request"] = parsed
            code = status
        except Exception as error:  # the test reads the reason
            record["error"] = str(error)
            code = 400
        with lock, open(out, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
