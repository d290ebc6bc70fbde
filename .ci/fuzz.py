#!/usr/bin/env python3
"""Fuzz the whole API with schemathesis, as an officer and as a treasurer, against a real
Pactum on the demo data (a fund, grants in several states, a vision, an agreement):
no 5xx, no undocumented status, content type or header, no answer outside its schema.

Usage: .ci/fuzz.py PACTUM_BINARY SCHEMATHESIS_BINARY [MAX_EXAMPLES]

Path ids, and the ids that query parameters and bodies name, are drawn from the demo's real
records most of the time (else generated), so the fuzzer gets past 404 into the handlers. The
seed is fixed so that a failure can be replayed; set FUZZ_SEED to try others.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PASSWORD = "pactum-demo-2026"  # src/demo.rs
ADMIN = "petra.smit@lindendaal.example"
ROLES = {"officer": "sanne.devries@lindendaal.example", "treasurer": "henk.jansen@example.nl"}
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"
# Ending the fuzzer's own session or changing its password would leave the rest of the run at 401.
EXCLUDED = ["logout", "changePassword"]
# How often a real id is used where an id goes (the rest are generated).
REAL = 0.8


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, token=None, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def login(self, email):
        return self.call("POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD})["access_token"]

    def ids(self, path, token):
        return [item["id"] for item in self.call("GET", path, token)["items"]]


def real_ids(api, token):
    """The demo's records, by the kind of id that names them."""
    ids = {kind: api.ids(f"/api/v1/{kind}?limit=100", token)
           for kind in ["municipalities", "networks", "funds", "grants", "visions", "agreements",
                        "commitments", "organisations"]}
    municipality = ids["municipalities"][0]
    ids["tranches"] = [t for g in ids["grants"] for t in api.ids(f"/api/v1/grants/{g}/tranches", token)]
    reports = [r for g in ids["grants"] for r in api.call("GET", f"/api/v1/grants/{g}/reports", token)["items"]]
    ids["reports"] = [r["id"] for r in reports]
    ids["receipts"] = [receipt["id"] for r in reports for receipt in r["receipts"]]
    ids["payment-batches"] = [b for f in ids["funds"] for b in api.ids(f"/api/v1/funds/{f}/payment-batches", token)]
    ids["service-accounts"] = api.ids(f"/api/v1/municipalities/{municipality}/service-accounts", token)
    ids["webhooks"] = api.ids(f"/api/v1/webhooks?municipality_id={municipality}", token)
    return {kind: values for kind, values in ids.items() if values}


def config(ids):
    """schemathesis.toml: the ids as dictionaries, bound by path prefix and by field name."""
    lines = []
    for kind, values in ids.items():
        lines += [f'[dictionaries."{kind}"]', f"values = {json.dumps(values)}", ""]

    def bind(key, kind):
        return f'"{key}" = {{ dictionary = "{kind}", probability = {REAL} }}' if kind in ids else None

    fields = {"municipality_id": "municipalities", "network_id": "networks", "fund_id": "funds",
              "grant_id": "grants", "vision_id": "visions", "agreement_id": "agreements",
              "organisation_id": "organisations", "receipt_id": "receipts"}
    bindings = [bind(f"{where}.{field}", kind) for field, kind in fields.items() for where in ("query", "body")]
    bindings += [bind("path.network_id", "networks"), bind("path.sid", "service-accounts")]
    lines += ["[parameters]"] + [b for b in bindings if b] + [""]
    for kind in ids:
        lines += ["[[operations]]", f'include-path-regex = "^/api/v1/{kind}/\\\\{{id\\\\}}"',
                  f"parameters = {{ {bind('path.id', kind)} }}", ""]
    return "\n".join(lines)


def main():
    pactum, schemathesis = sys.argv[1], sys.argv[2]
    max_examples = sys.argv[3] if len(sys.argv) > 3 else "50"
    spec = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "openapi", "pactum.json")
    data = tempfile.mkdtemp(prefix="pactum-fuzz-")
    port = free_port()
    env = dict(os.environ, PACTUM_DATA_DIR=data, PACTUM_DATABASE_URL=f"sqlite://{data}/pactum.db",
               PACTUM_BIND=f"127.0.0.1:{port}", PACTUM_LOG_FORMAT="json", PACTUM_ENV="development",
               PACTUM_TOKEN_REQUESTS_PER_MINUTE="100000", PACTUM_PUBLIC_REQUESTS_PER_MINUTE="100000",
               PACTUM_LOGIN_ATTEMPTS_PER_ACCOUNT="10000", PACTUM_LOGIN_ATTEMPTS_PER_ADDRESS="10000")
    subprocess.run([pactum, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    log = open(os.path.join(data, "serve.log"), "w")
    server = subprocess.Popen([pactum, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    failed = []
    try:
        api = Api(f"http://127.0.0.1:{port}")
        for _ in range(100):
            if server.poll() is not None:
                sys.exit(f"pactum serve stopped: see {log.name}")
            try:
                urllib.request.urlopen(api.base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        ids = real_ids(api, api.login(ADMIN))
        with open(os.path.join(data, "schemathesis.toml"), "w") as f:
            f.write(config(ids))
        print("real ids: " + ", ".join(f"{kind} {len(values)}" for kind, values in ids.items()), flush=True)
        for role, email in ROLES.items():
            print(f"\n== fuzzing as {role} ({email})", flush=True)
            command = [schemathesis, "--no-color", "--config-file", os.path.join(data, "schemathesis.toml"), "run", spec,
                       "--url", api.base, "--header", f"Authorization: Bearer {api.login(email)}",
                       "--checks", CHECKS, "--phases", "examples,coverage,fuzzing",
                       "--max-examples", max_examples, "--seed", os.environ.get("FUZZ_SEED", "20261206"),
                       "--workers", "2", "--suppress-health-check", "all", "--warnings", "off"]
            for operation in EXCLUDED:
                command += ["--exclude-operation-id", operation]
            if subprocess.run(command, env=dict(os.environ, SCHEMATHESIS_TELEMETRY="false")).returncode != 0:
                failed.append(role)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failed:
        print(f"\nfuzzing found failures as: {', '.join(failed)}; the server log: {log.name}")
        sys.exit(1)
    if not os.environ.get("FUZZ_KEEP"):
        shutil.rmtree(data, ignore_errors=True)
    print("\nfuzzing: 0 failures as officer and as treasurer")


if __name__ == "__main__":
    main()
