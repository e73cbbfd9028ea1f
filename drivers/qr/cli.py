"""`kassa qr`: decode a scanned payment QR payload to JSON, or encode one (and its image).

kassa qr decode '00020126…63041D3D'
kassa qr encode pix --key 123e4567-… --amount 1250 --merchant-name "Fulano" --city RIO
kassa qr encode epc --name "Kassa AB" --iban DE89370400440532013000 --amount 1250 --png a.png
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from drivers.qr import ENCODERS, SCHEMES, QrPayloadError
from drivers.qr import decode as decode_payload
from drivers.qr import encode as encode_payload
from drivers.qr.render import text_blocks, write_png, write_svg

qr_app = typer.Typer(help="Decode and encode QR payment payloads.", no_args_is_help=True)

EXIT_INVALID = 2


def _fields_help() -> str:
    lines = []
    for scheme, encoder in ENCODERS.items():
        params = inspect.signature(encoder).parameters
        names = (f"--{n.replace('_', '-')}" for n in params if n != "rules")
        lines.append(f"{scheme}: {' '.join(names)}")
    return "Fields per scheme (money in minor units):\n\n" + "\n\n".join(lines)


INT_FIELDS = {"amount", "port"}
TRUE, FALSE = {"1", "true", "yes", "y", "on"}, {"0", "false", "no", "n", "off"}


def _fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(EXIT_INVALID)


def _convert(scheme: str, name: str, text: str) -> Any:
    if name in INT_FIELDS:
        if not text.isascii() or not text.isdigit():
            _fail(f"--{name} must be a whole number of minor units, e.g. 1250 for 12.50")
        return int(text)
    if name == "editable" and scheme == "paynow":
        if text.lower() not in TRUE | FALSE:
            _fail(f"--editable must be yes or no, not {text!r}")
        return text.lower() in TRUE
    if name == "tree":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            _fail(f'--tree must be JSON like {{"00": "01", …}}: {exc}')
    return text


def parse_field_options(scheme: str, args: list[str]) -> dict[str, Any]:
    """Turn `--merchant-name X --amount 1250` into {"merchant_name": "X", "amount": 1250}."""
    fields: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or len(arg) == 2:
            _fail(f"unexpected argument {arg!r}; give fields as --name value")
        name, has_value, value = arg[2:].partition("=")
        if not has_value:
            follows = i + 1 < len(args) and not args[i + 1].startswith("--")
            value = args[i + 1] if follows else "true"  # a bare flag means yes
            i += 1 if follows else 0
        fields[name.replace("-", "_")] = _convert(scheme, name.replace("-", "_"), value)
        i += 1
    return fields


@qr_app.command()
def decode(payload: str = typer.Argument(..., help="The scanned text of the QR code.")) -> None:
    """Print the payload's scheme and fields as JSON; exit 2 with a message when invalid."""
    try:
        decoded = decode_payload(payload)
    except QrPayloadError as exc:
        _fail(str(exc))
    print(json.dumps(decoded.as_dict(), ensure_ascii=False, indent=2))


@qr_app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog=_fields_help(),
)
def encode(
    ctx: typer.Context,
    scheme: str = typer.Argument(..., help=f"One of: {', '.join(SCHEMES)}."),
    png: Annotated[Path | None, typer.Option("--png", help="Also write a PNG here.")] = None,
    svg: Annotated[Path | None, typer.Option("--svg", help="Also write an SVG here.")] = None,
    show: bool = typer.Option(False, "--show", help="Also draw the QR on stderr."),
) -> None:
    """Print the payload built from `--field value` options (money in minor units)."""
    fields = parse_field_options(scheme, list(ctx.args))
    try:
        payload = encode_payload(scheme, **fields)
    except QrPayloadError as exc:
        _fail(str(exc))
    try:
        if png is not None:
            write_png(payload, png)
        if svg is not None:
            write_svg(payload, svg)
    except OSError as exc:
        _fail(f"cannot write the image: {exc}")
    if show:
        print(text_blocks(payload), file=sys.stderr)
    print(payload)


if __name__ == "__main__":
    qr_app()
