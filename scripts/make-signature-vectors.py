#!/usr/bin/env python3
"""Writes test/fixtures/signature-vectors.json with Python's hashlib: an implementation independent
of the Node code under test. Run again only to add vectors; the tests also cross-check with sha1sum."""
import base64, hashlib, json, pathlib

cases = [
    ("compact json", b'{"notification_type":"user_validation","user":{"id":"sample_user_1"}}', "s3cr3t"),
    ("pretty json, 2 spaces", b'{\n  "notification_type": "payment",\n  "transaction": {\n    "id": 87654321\n  }\n}', "s3cr3t"),
    ("pretty json, 4 spaces", b'{\n    "notification_type": "payment"\n}', "s3cr3t"),
    ("trailing newline", b'{"notification_type":"payment"}\n', "s3cr3t"),
    ("no trailing newline", b'{"notification_type":"payment"}', "s3cr3t"),
    ("escaped slashes (PHP json_encode)", b'{"url":"https:\\/\\/example.com\\/a"}', "key"),
    ("unescaped slashes", b'{"url":"https://example.com/a"}', "key"),
    ("unicode raw utf-8", '{"name":"Игрок ✓ 玩家"}'.encode("utf-8"), "key"),
    ("unicode \\u escaped", b'{"name":"\\u0418\\u0433\\u0440\\u043e\\u043a"}', "key"),
    ("empty body", b"", "s3cr3t"),
    ("empty object", b"{}", "s3cr3t"),
    ("crlf line endings", b'{\r\n  "a": 1\r\n}', "s3cr3t"),
    ("utf-8 bom", b'\xef\xbb\xbf{"a":1}', "s3cr3t"),
    ("unicode secret", b'{"a":1}', "сЕкРеТ-🔑"),
    ("xsolla docs-like secret", b'{"notification_type":"user_validation","settings":{"project_id":18404,"merchant_id":2340},"user":{"id":"1234567"}}', "hlnq9wXDbHbmGB3BoAfvLqJdyGpT2TOt"),
]

vectors = []
for name, body, secret in cases:
    digest = hashlib.sha1(body + secret.encode("utf-8")).hexdigest()
    vectors.append({"name": name, "bodyBase64": base64.b64encode(body).decode("ascii"), "secret": secret, "signature": digest})

out = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "signature-vectors.json"
out.write_text(json.dumps({"algorithm": "hex(sha1(body || secret)), computed by Python hashlib", "vectors": vectors}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
print(f"wrote {len(vectors)} vectors to {out}")
