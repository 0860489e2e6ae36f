"""The Flask example: a JSON endpoint, a binary image served byte for byte, several cookies."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, make_response, request, send_file

app = Flask(__name__)
LOGO = Path(__file__).with_name("logo.png")


@app.get("/")
def index():
    return jsonify(message="Hello from Flask", path=request.path, url=request.url)


@app.get("/items/<name>")
def item(name: str):
    return jsonify(name=name, args=request.args.to_dict(flat=False))


@app.post("/echo")
def echo():
    return jsonify(json=request.get_json(silent=True), length=len(request.get_data()))


@app.get("/logo.png")
def logo():
    # Binary body: the front door must carry it base64-encoded and hand back the exact bytes.
    return send_file(LOGO, mimetype="image/png")


@app.get("/cookies")
def cookies():
    response = make_response(jsonify(set=["session", "theme", "seen"]))
    response.set_cookie("session", "abc123", httponly=True, samesite="Lax")
    response.set_cookie("theme", "dark", max_age=3600)
    response.set_cookie("seen", "1", path="/items")
    return response
