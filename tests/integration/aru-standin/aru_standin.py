#!/usr/bin/env python3
"""A STAND-IN for Oracle Support's ARU service, for wlsimg's tests only.

Oracle Support (updates.oracle.com) cannot be reached from the test machines, and its answers need
an Oracle account. This small HTTPS server answers the requests WIT's ARU client makes, in the XML
formats ARU documents and WIT's own tests use (wit-primary.md section 11): the releases table,
bug searches, recommended-patch searches, the multipart conflict check and patch downloads. The
patches, releases and conflicts are made up for the tests below; nothing here is Oracle's data.

It serves two listeners with one certificate (made by the test with openssl, for 127.0.0.1 and
localhost):
  * "aru": the ARU host. Every request needs HTTP Basic with the test user and password, else
    401 with a Basic challenge. metadata?table=aru_releases sets a session cookie, and the
    conflict check is redirected to a sign-in page without it, as ARU does.
  * "mirror": another host (a download mirror) that serves files without credentials; ARU
    redirects one download there, and names the mirror as the download host of another.

Each request is recorded as one JSON line in --log: listener, method, path, whether an
Authorization header came and whether it held the right credentials, whether the session cookie
came. The credentials themselves are never written.

usage: aru_standin.py --cert C --key K --user U --password-file F --log L --ports P
       (P receives "ARU_PORT MIRROR_PORT" once both listen)
"""
import argparse
import base64
import email.parser
import email.policy
import hashlib
import http.server
import json
import re
import secrets
import ssl
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

WLS = "15991"
COH = "13964"

# (release id, release name, text)
RELEASES = [
    ("600000000001", "12.2.1.4.0", "Oracle WebLogic Server 12.2.1.4.0"),
    ("600000000002", "12.2.1.4.210930", "Oracle WebLogic Server 12.2.1.4.210930"),
    ("600000000003", "12.2.1.4.0", "Oracle Coherence 12.2.1.4.0"),
    ("600000000004", "12.2.1.3.0", "Oracle WebLogic Server 12.2.1.3.0"),
    ("600000000009", "13.9.4.2.17", "OPatch 13.9.4.2.17"),
]
REL = {r[0]: r for r in RELEASES}

GENERIC, AMD64, ARM64 = "2000", "226", "541"


def patch(bug, abstract, release, platform=GENERIC, product=WLS, psu=None, access="Open access",
          served="aru", scheme="https", corrupt=False, name=None):
    rel_id, rel_name, rel_text = REL[release] if release in REL else (release, release, release)
    plat_tag = {GENERIC: "Generic", AMD64: "Linux-x86-64", ARM64: "Linux-ARM-64"}[platform]
    fname = name or "p%s_%s_%s.zip" % (bug, rel_name.replace(".", ""), plat_tag)
    return dict(bug=bug, abstract=abstract, rel_id=rel_id, rel_name=rel_name, rel_text=rel_text,
                platform=platform, product=product, psu=psu, access=access, served=served,
                scheme=scheme, corrupt=corrupt, file=fname)


PATCHES = [
    patch("28186730", "OPATCH 13.9.4.2.16 FOR FMW/WLS", "13.9.4.2.16"),
    patch("28186730", "OPATCH 13.9.4.2.17 FOR FMW/WLS", "600000000009"),
    patch("28186730", "OPATCH 13.9.4.2.18 FOR FMW/WLS (restricted)", "13.9.4.2.18", access="Restricted"),
    patch("33286160", "WLS PATCH SET UPDATE 12.2.1.4.210930", "600000000001",
          psu="Oracle WebLogic Server 12.2.1.4.210930"),
    patch("33333333", "ONE-OFF FIX FOR 12.2.1.4.0", "600000000001"),
    patch("33333333", "ONE-OFF FIX FOR 12.2.1.3.0", "600000000004"),
    patch("31111111", "ADR FOR WEBLOGIC SERVER 12.2.1.4.0 JULY CPU", "600000000001"),
    patch("44444444", "ARM ONLY FIX", "600000000001", platform=ARM64),
    patch("55555555", "X86-64 ONLY FIX", "600000000001", platform=AMD64),
    patch("55555555", "HP-UX BUILD (not for Linux)", "600000000001", platform=GENERIC,
          name="p55555555_122140_HPUX.zip") | dict(platform="197"),
    patch("66666666", "WLS STACK PATCH BUNDLE 12.2.1.4.210930", "600000000001",
          psu="Oracle WebLogic Server 12.2.1.4.210930"),
    patch("77777777", "OVERLAY FOR THE 210930 PSU", "600000000002"),
    patch("88888888", "REDIRECTED TO A MIRROR", "600000000001", served="redirect"),
    patch("88888889", "LISTED ON A MIRROR", "600000000001", served="mirror"),
    patch("99999990", "ANSWERED AFTER ONE FAILURE", "600000000001"),
    patch("12121212", "DOWNLOAD WITH THE WRONG CONTENT", "600000000001", corrupt=True),
    patch("13131313", "DOWNLOAD OVER PLAIN HTTP", "600000000001", scheme="http"),
    patch("14141414", "A RECOMMENDED PATCH OF ANOTHER RELEASE", "600000000004"),
]

# (product, release) -> bugs ARU recommends
RECOMMENDED = {
    (WLS, "600000000001"): ["33286160", "33333333", "31111111", "66666666", "14141414"],
    (WLS, "600000000002"): ["77777777"],
}
# candidates that ARU reports as conflicting, when all are asked for together
CONFLICTS = [["55555555", "33333333"]]
FAIL_ONCE = {"99999990"}


def content(p):
    data = ("stand-in patch file %s for %s\n" % (p["file"], p["rel_name"])).encode() * 64
    return data


def patch_xml(p, aru_port, mirror_port):
    port = mirror_port if p["served"] == "mirror" else aru_port
    host_name = "localhost" if p["served"] == "mirror" else "127.0.0.1"
    host = "%s://%s:%d" % (p["scheme"], host_name, port)
    digest = hashlib.sha256(content(p)).hexdigest().upper()
    path = "/Orion/Services/download/%s?aru=2461%s&patch_file=%s" % (p["file"], p["bug"][-4:], p["file"])
    psu = "<psu_bundle>%s</psu_bundle>" % escape(p["psu"]) if p["psu"] else ""
    return (
        '<patch has_prereqs="n" has_postreqs="n" is_system_patch="n">'
        "<bug><number>%s</number><abstract><![CDATA[%s]]></abstract></bug>"
        "<name>%s</name><type>Patch</type>%s<status>Available</status>"
        '<access id="m">%s</access>'
        '<product id="%s" bugdb_id="5242"><![CDATA[product %s]]></product>'
        '<release id="%s" name="%s" platform_patch_not_required="Y"><![CDATA[%s]]></release>'
        '<platform id="%s" bugdb_id="289"><![CDATA[platform %s]]></platform>'
        "<files><file><name>%s</name>"
        "<download_url host=%s><![CDATA[%s]]></download_url>"
        '<digest type="SHA-256">%s</digest></file></files>'
        "</patch>"
        % (p["bug"], p["abstract"], p["bug"], psu, escape(p["access"]), p["product"], p["product"],
           p["rel_id"], p["rel_name"], p["rel_text"], p["platform"], p["platform"], p["file"],
           quoteattr(host), path, digest))


NO_PATCHES = ("<results><error><id>10-016</id>"
              "<message>No patches found. Clear your search and try again.</message></error></results>")


class State:
    def __init__(self, args):
        self.user = args.user
        self.password = open(args.password_file, encoding="utf-8").read().strip()
        self.log = open(args.log, "a", encoding="utf-8")
        self.lock = threading.Lock()
        self.sessions = set()
        self.failed_once = set()
        self.aru_port = 0
        self.mirror_port = 0

    def record(self, entry):
        with self.lock:
            self.log.write(json.dumps(entry, sort_keys=True) + "\n")
            self.log.flush()


def handler_for(state, role):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # the JSON log is enough
            pass

        def send(self, status, body=b"", ctype="text/xml; charset=UTF-8", headers=()):
            if isinstance(body, str):
                body = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def auth_state(self):
            h = self.headers.get("Authorization")
            if h is None:
                return "none"
            if not h.startswith("Basic "):
                return "bad"
            try:
                user, _, pw = base64.b64decode(h[6:]).decode().partition(":")
            except Exception:
                return "bad"
            return "ok" if (user, pw) == (state.user, state.password) else "bad"

        def session(self):
            m = re.search(r"ARU_SESSION=([0-9a-f]+)", self.headers.get("Cookie", ""))
            return m.group(1) if m and m.group(1) in state.sessions else None

        def handle_one(self, method):
            url = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(url.query)
            auth = self.auth_state()
            state.record(dict(listener=role, method=method, path=self.path, auth=auth,
                              authorization_header=self.headers.get("Authorization") is not None,
                              cookie=self.session() is not None,
                              user_agent=self.headers.get("User-Agent", "")))
            body = b""
            if method == "POST":
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if role == "mirror":
                return self.download(url.path, q)
            if auth != "ok":
                return self.send(401, "<html><body>sign in</body></html>", "text/html",
                                 [("WWW-Authenticate", 'Basic realm="stand-in ARU"')])
            path = url.path
            if path == "/Orion/Services/metadata" and q.get("table") == ["aru_languages"]:
                return self.send(200, '<results><language id="0" iso_code="EN">American English</language></results>')
            if path == "/Orion/Services/metadata" and q.get("table") == ["aru_releases"]:
                sid = secrets.token_hex(8)
                state.sessions.add(sid)
                rel = "".join('<release id="%s" name="%s"><![CDATA[%s]]></release>' % r for r in RELEASES)
                return self.send(200, "<results>%s</results>" % rel,
                                 headers=[("Set-Cookie", "ARU_SESSION=%s; Path=/; Secure; HttpOnly" % sid)])
            if path == "/Orion/Services/search" and "bug" in q:
                return self.search_bug(q["bug"][0])
            if path == "/Orion/Services/search" and q.get("life_cycle") == ["Recommended"]:
                bugs = RECOMMENDED.get((q.get("product", [""])[0], q.get("release", [""])[0]))
                if not bugs:
                    return self.send(200, NO_PATCHES)
                ps = [p for b in bugs for p in PATCHES if p["bug"] == b]
                return self.send(200, "<results>%s</results>" % "".join(
                    patch_xml(p, state.aru_port, state.mirror_port) for p in ps))
            if path == "/Orion/Services/conflict_checks" and method == "POST":
                if self.session() is None:  # ARU wants the session of a releases GET first
                    return self.send(302, "", "text/html", [("Location", "/login")])
                return self.conflict_check(body)
            if path.startswith("/Orion/Services/download/"):
                return self.download(path, q)
            if path == "/login":
                return self.send(200, "<html>sign in</html>", "text/html")
            return self.send(404, "<results><error><id>0</id><message>no such service</message></error></results>")

        def search_bug(self, bug):
            if bug in FAIL_ONCE and bug not in state.failed_once:
                state.failed_once.add(bug)
                return self.send(503, "busy", "text/plain")
            ps = [p for p in PATCHES if p["bug"] == bug]
            if not ps:
                return self.send(200, NO_PATCHES)
            return self.send(200, "<results>%s</results>" % "".join(
                patch_xml(p, state.aru_port, state.mirror_port) for p in ps))

        def conflict_check(self, body):
            msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(
                b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body)
            xml = None
            for part in msg.iter_parts():
                if part.get_param("name", header="content-disposition") == "request_xml":
                    xml = part.get_content()
            if xml is None:
                return self.send(400, "<results><error><id>1</id><message>request_xml missing</message></error></results>")
            root = ET.fromstring(xml)
            cands = [g.text for g in root.iter("patch_group")]
            sets = [s for s in CONFLICTS if all(b in cands for b in s)]
            body = "".join("<set><merge_patches>%s</merge_patches></set>" % "".join(
                '<patch flag="candidate" release_id="600000000001"><bug><number>%s</number></bug></patch>' % b
                for b in s) for s in sets)
            return self.send(200, '<conflict_check platform_id="2000"><conflict_free_list/>'
                                  "<conflict_sets>%s</conflict_sets></conflict_check>" % body)

        def download(self, path, q):
            name = path.rsplit("/", 1)[-1]
            for p in PATCHES:
                if p["file"] != name:
                    continue
                if role == "aru" and p["served"] == "redirect":
                    return self.send(302, "", "text/html",
                                     [("Location", "https://localhost:%d/files/%s?token=abc" % (state.mirror_port, name))])
                data = content(p)
                if p["corrupt"]:
                    data = data[:-1] + b"!"
                return self.send(200, data, "application/zip")
            return self.send(404, "not found", "text/plain")

        def do_GET(self):
            self.handle_one("GET")

        def do_POST(self):
            self.handle_one("POST")

    return Handler


def serve(state, role, ctx):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state, role))
    srv.daemon_threads = True
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    return srv


def main():
    ap = argparse.ArgumentParser()
    for a in ("--cert", "--key", "--user", "--password-file", "--log", "--ports"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    state = State(args)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    aru, mirror = serve(state, "aru", ctx), serve(state, "mirror", ctx)
    state.aru_port, state.mirror_port = aru.server_address[1], mirror.server_address[1]
    threading.Thread(target=mirror.serve_forever, daemon=True).start()
    with open(args.ports + ".tmp", "w", encoding="utf-8") as f:
        f.write("%d %d\n" % (state.aru_port, state.mirror_port))
    import os
    os.rename(args.ports + ".tmp", args.ports)
    aru.serve_forever()


if __name__ == "__main__":
    main()
