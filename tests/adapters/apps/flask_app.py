"""A Flask app exercising routing, url_for, cookies, query strings and binary bodies."""

from __future__ import annotations

import gzip

from flask import Flask, Response, jsonify, request, url_for

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index() -> Response:
        return jsonify(
            path=request.path,
            script_root=request.script_root,
            url=request.url,
            item_url=url_for("item", name="rex"),
            item_external=url_for("item", name="rex", _external=True),
        )

    @app.get("/items/<name>")
    def item(name: str) -> Response:
        return jsonify(name=name, self_url=url_for("item", name=name))

    @app.get("/café")
    def cafe() -> Response:
        return jsonify(path=request.path, url=url_for("cafe"))

    @app.route("/echo", methods=["GET", "POST", "PUT", "HEAD"])
    def echo() -> Response:
        return jsonify(
            args={k: request.args.getlist(k) for k in request.args},
            cookies=request.cookies,
            remote_addr=request.remote_addr,
            host=request.host,
            scheme=request.scheme,
            data=request.get_data().hex(),
            form=request.form.to_dict(flat=False),
        )

    @app.get("/cookies")
    def cookies() -> Response:
        response = Response("ok", mimetype="text/plain")
        response.set_cookie("a", "1")
        response.set_cookie("b", "2", httponly=True)
        response.set_cookie("c", "3", path="/x")
        return response

    @app.get("/image.png")
    def image() -> Response:
        return Response(PNG, mimetype="image/png")

    @app.get("/gzip")
    def gzipped() -> Response:
        return Response(
            gzip.compress(b"hello " * 100, mtime=0), mimetype="text/plain", headers={"Content-Encoding": "gzip"}
        )

    @app.get("/latin1")
    def latin1() -> Response:
        return Response("café".encode("latin-1"), content_type="text/plain; charset=latin-1")

    @app.get("/boom")
    def boom() -> Response:
        raise RuntimeError("secret detail that must not leak")

    return app
