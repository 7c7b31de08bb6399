#!/usr/bin/env python3
"""A deliberately malicious registry for tests/integration/32_hostile_registry.sh (test-only).

It speaks just enough of the distribution API for `wlsimg tags`, `manifest`, `copy ... docker://` and
`login`, and tries to make the client leak credentials or misbehave: `Link` headers and upload
`Location`s that name another host (127.0.0.2) or another port, redirects to them, endless `Link`
loops, pages that never end, and error messages full of terminal control sequences. Every request
that reaches any of its listeners is recorded, with its Authorization header, so the test can see
what the client sent where.

usage: hostile_registry.py STATE_DIR
Writes STATE_DIR/addrs (shell assignments: BASIC, BEARER, OTHER_HOST, OTHER_PORT) once every listener
is up, and appends one JSON object per request to STATE_DIR/requests.jsonl. Credentials: alice/s3cret.
"""
import base64
import hashlib
import itertools
import json
import os
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = sys.argv[1]
USER, PASSWORD = "alice", "s3cret"
GOOD_BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
TOKEN = "tok-" + uuid.uuid4().hex
LOG_LOCK = threading.Lock()
ADDR = {}  # role -> "host:port"
CHALLENGES = itertools.count()  # each Bearer challenge names its realm differently
PAGE_BYTES = 1 << 20  # one page of "bigpages": about 1 MiB of tags
EVIL_TEXT = "\x1b[2J\x1b]0;owned\x07gone\rwlsimg: forged line\n\x9b31m"


def record(handler, role):
    entry = {
        "role": role,
        "method": handler.command,
        "path": handler.path,
        "authorization": handler.headers.get("Authorization", ""),
    }
    with LOG_LOCK, open(os.path.join(STATE, "requests.jsonl"), "a") as f:
        f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    role = "?"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=None, ctype="application/json"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if body or status != 204:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        self.last_body = self.rfile.read(n) if n else b""

    def handle_any(self):
        self.body()
        record(self, self.role)
        if self.role in ("basic", "bearer"):
            self.main()
        else:
            self.other()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    # --- the registry whose credentials the client holds ---
    def authorized(self):
        got = self.headers.get("Authorization", "")
        if self.role == "basic":
            if got == GOOD_BASIC:
                return True
            self.reply(401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                       {"WWW-Authenticate": 'Basic realm="hostile"'})
            return False
        if got == "Bearer " + TOKEN:
            return True
        # the same token server under a new name each time: the client replaces its realm while
        # other threads use it (a use-after-free before the client copied it under its lock)
        realm = f'http://{ADDR["bearer"]}/token?challenge={next(CHALLENGES)}'
        self.reply(401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                   {"WWW-Authenticate": f'Bearer realm="{realm}",service="hostile"'})
        return False

    def main(self):
        path = self.path.split("?")[0]
        if self.role == "bearer" and path == "/token":
            if self.headers.get("Authorization", "") != GOOD_BASIC:
                return self.reply(401, "{}")
            return self.reply(200, json.dumps({"token": TOKEN, "expires_in": 300}))
        if not self.authorized():
            return
        parts = path.split("/")
        if path == "/v2/":
            return self.reply(200, "{}")
        repo = parts[2] if len(parts) > 2 else ""
        if path.endswith("/tags/list"):
            return self.tags(repo)
        if "/manifests/" in path:
            return self.manifest(repo)
        if "/blobs/uploads" in path:
            return self.upload(repo)
        if "/blobs/" in path:
            return self.reply(404, '{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')
        return self.reply(404, "{}")

    def tags(self, repo):
        me = self.server.addr
        query = self.path.split("?", 1)[1] if "?" in self.path else ""
        links = {
            "linkhost": f'<http://{ADDR["other_host"]}/v2/{repo}/tags/list?last=a>; rel="next"',
            "linkport": f'<http://{ADDR["other_port"]}/v2/{repo}/tags/list?last=a>; rel="next"',
            "loop": f'</v2/{repo}/tags/list>; rel="next"',
            "loop2": f'</v2/{repo}/tags/list?last={"b" if query != "last=b" else "a"}>; rel="next"',
        }
        if repo == "esc":
            return self.reply(404, json.dumps({"errors": [{"code": "NAME_UNKNOWN", "message": EVIL_TEXT}]}))
        if repo == "escraw":
            return self.reply(418, EVIL_TEXT, ctype="text/plain")
        if repo == "samehost":
            if query:
                return self.reply(200, json.dumps({"name": repo, "tags": ["b"]}))
            return self.reply(200, json.dumps({"name": repo, "tags": ["a"]}),
                              {"Link": f'<http://{me}/v2/{repo}/tags/list?last=a>; rel="next"'})
        if repo == "bigpages":
            page = int(query.split("=")[1]) if query.startswith("page=") else 0
            tags = [f"p{page}-{i:07d}-" + "x" * 40 for i in range(PAGE_BYTES // 52)]
            return self.reply(200, json.dumps({"name": repo, "tags": tags}),
                              {"Link": f'</v2/{repo}/tags/list?page={page + 1}>; rel="next"'})
        if repo in links:
            return self.reply(200, json.dumps({"name": repo, "tags": ["a"]}), {"Link": links[repo]})
        return self.reply(404, '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known"}]}')

    def manifest(self, repo):
        if self.command == "PUT":
            d = "sha256:" + hashlib.sha256(self.last_body).hexdigest()
            return self.reply(201, "", {"Docker-Content-Digest": d})
        where = {"redirhost": ADDR["other_host"], "redirport": ADDR["other_port"]}.get(repo)
        if where:
            return self.reply(307, "", {"Location": f"http://{where}/redirected/{repo}/manifest"})
        if repo == "esc403":
            return self.reply(403, json.dumps({"errors": [{"code": "DENIED", "message": EVIL_TEXT,
                                                           "detail": EVIL_TEXT}]}))
        return self.reply(404, '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')

    def upload(self, repo):
        if self.command == "POST":
            where = {"uploadhost": ADDR["other_host"], "uploadport": ADDR["other_port"],
                     "upload401": ADDR["other_host"]}.get(repo)
            prefix = "/u401" if repo == "upload401" else "/upload"
            loc = f"http://{where}{prefix}/{repo}/{uuid.uuid4().hex}" if where else \
                f"/v2/{repo}/blobs/uploads/{uuid.uuid4().hex}"
            return self.reply(202, "", {"Location": loc, "Range": "0-0", "Content-Length": "0"})
        if self.command in ("PUT", "PATCH"):
            digest = self.path.split("digest=")[1].split("&")[0].replace("%3A", ":") if "digest=" in self.path else ""
            return self.reply(201 if self.command == "PUT" else 202, "", {"Docker-Content-Digest": digest})
        return self.reply(204)

    # --- the other host (or port): it should never see the registry's credentials ---
    def other(self):
        path = self.path.split("?")[0]
        if path.startswith("/u401/") or path == "/token":
            chal = f'Bearer realm="http://{ADDR["other_host"]}/token",service="evil"'
            return self.reply(401, '{"errors":[{"code":"UNAUTHORIZED","message":"who are you"}]}',
                              {"WWW-Authenticate": chal})
        if path.endswith("/tags/list"):
            return self.reply(200, json.dumps({"name": "x", "tags": ["from-the-other-host"]}))
        if path.startswith("/upload/"):
            digest = self.path.split("digest=")[1].split("&")[0].replace("%3A", ":") if "digest=" in self.path else ""
            return self.reply(201, "", {"Docker-Content-Digest": digest})
        if path.startswith("/redirected/"):
            m = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":' \
                b'{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:' + b"0" * 64 + \
                b'","size":2},"layers":[]}'
            return self.reply(200, m, ctype="application/vnd.oci.image.manifest.v1+json")
        return self.reply(404, "{}")


def serve(role, host):
    cls = type(f"H_{role}", (Handler,), {"role": role})
    srv = ThreadingHTTPServer((host, 0), cls)
    srv.daemon_threads = True
    srv.addr = f"{host}:{srv.server_address[1]}"
    ADDR[role] = srv.addr
    threading.Thread(target=srv.serve_forever, daemon=True).start()


def main():
    serve("basic", "127.0.0.1")
    serve("bearer", "127.0.0.1")
    serve("other_host", "127.0.0.2")
    serve("other_port", "127.0.0.1")
    tmp = os.path.join(STATE, "addrs.tmp")
    with open(tmp, "w") as f:
        for k, v in ADDR.items():
            f.write(f"{k.upper()}={v}\n")
    os.rename(tmp, os.path.join(STATE, "addrs"))
    threading.Event().wait()


main()
