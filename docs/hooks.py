"""MkDocs hook: the reference parts of the site, generated from the code at build time.

A page asks for a generated part with a marker on a line of its own::

    <!-- generated: cli -->

and the marker is replaced by markdown made from the code of this checkout (``src/`` is
put first on ``sys.path``, so an installed copy of materiel elsewhere is not read):

- ``model``: the planning model's equations, from the docstrings of the ``define_*``
  functions (and the money and objective terms they use) in
  ``src/materiel/planner/model.py``, read statically (nothing is imported);
- ``scenario-tables`` and ``scenario-yaml``: the scenario format, from the pydantic
  models of ``materiel.scenario.schema`` (``TABLES``, ``ScenarioMeta``, ``Policy``,
  ``Spending``, ``Risks``): columns, types, defaults, constraints and descriptions;
- ``cli``: every command of the Typer app (``materiel.cli``), with its help and its
  arguments and options;
- ``openapi``: the REST API, from the OpenAPI schema of the server's FastAPI app, built
  on a throwaway SQLite file;
- ``builtin-readme`` and ``public-data-readme``: the built-in scenario's and the public
  data's own READMEs, included with their headings moved down a level.

An unknown marker, or a part that cannot be made, fails the build: a page never shows
stale or missing reference text.
"""

from __future__ import annotations

import ast
import enum
import json
import re
import sys
import tempfile
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
MARKER = re.compile(r"^<!-- generated: ([a-z-]+) -->$", re.M)

if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

_cache: dict[str, str] = {}


# --------------------------------------------------------------------------- helpers


def _cell(text: object) -> str:
    """Text for one cell of a markdown table: one line, pipes escaped."""
    out = " ".join(str(text).split())
    return out.replace("|", "\\|")


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _rst_to_md(text: str) -> str:
    """Docstring markup to markdown: ``x`` and :func:`x` become code."""
    text = re.sub(r":(?:func|class|mod|data|meth|attr|exc):`~?\.?([^`]+)`", r"`\1`", text)
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def _code(text: object) -> str:
    text = str(text)
    return f"`{text}`" if "`" not in text else text


# --------------------------------------------------------------------------- model


#: Terms the define_* functions use, shown after them.
MODEL_TERMS = ("months_delivered", "_goods_cost", "expansion_paid", "closure_paid")
MODEL_OBJECTIVE = ("objective_weights",)


def _model() -> str:
    path = SRC / "materiel" / "planner" / "model.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {
        n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and ast.get_docstring(n)
    }
    defines = [name for name in functions if name.startswith("define_")]
    if not defines:
        raise RuntimeError(f"no define_* function with a docstring in {path}")
    out = ["## The model, as the code writes it", ""]
    module_doc = ast.get_docstring(tree) or ""
    out += [_rst_to_md(module_doc), ""]
    out += [
        "`build_model` adds the families in this order: "
        + ", ".join(f"[`{n}`](#{n.replace('_', '-')})" for n in _build_order(tree, defines))
        + ".",
        "",
    ]

    def section(name: str) -> list[str]:
        node = functions[name]
        doc = _rst_to_md(ast.get_docstring(node) or "")
        first, _, rest = doc.partition("\n\n")
        return [
            f"### `{name}` {{ #{name.replace('_', '-').lstrip('-')} }}",
            "",
            f"**{first.strip()}**",
            "",
            rest.strip(),
            "",
            f"<small>`src/materiel/planner/model.py`, line {node.lineno}</small>",
            "",
        ]

    for name in _build_order(tree, defines):
        out += section(name)
    out += ["## Money and weights used above", ""]
    for name in (*MODEL_TERMS, *MODEL_OBJECTIVE):
        if name in functions:
            out += section(name)
    return "\n".join(out)


def _build_order(tree: ast.Module, defines: list[str]) -> list[str]:
    """The define_* functions in the order build_model calls them (else source order)."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "build_model":
            calls = [
                c
                for c in ast.walk(node)
                if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
            ]
            called = [c.func.id for c in sorted(calls, key=lambda c: (c.lineno, c.col_offset))]
            order = [n for n in dict.fromkeys(called) if n in defines]
            return order + [n for n in defines if n not in order]
    return defines


# --------------------------------------------------------------------------- scenario


def _type_name(annotation: Any) -> str:
    """A short, readable name of a field's type."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is typing.Literal:
        return " or ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        parts = [_type_name(a) for a in args if a is not type(None)]
        name = " or ".join(parts)
        return f"{name} (optional)" if len(parts) < len(args) else name
    if origin in (list, tuple, set):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"map {_type_name(args[0])} → {_type_name(args[1])}" if args else "map"
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return " or ".join(repr(m.value) for m in annotation)
        return {"str": "text", "int": "integer", "float": "number", "bool": "true/false"}.get(
            annotation.__name__, annotation.__name__
        )
    return str(annotation)


_CONSTRAINTS = (
    ("ge", "≥ {}"),
    ("gt", "> {}"),
    ("le", "≤ {}"),
    ("lt", "< {}"),
    ("min_length", "length ≥ {}"),
    ("max_length", "length ≤ {}"),
    ("pattern", "matches `{}`"),
)


def _constraints(info: Any) -> str:
    found: list[str] = []

    def add(meta: Any) -> None:
        for attr, fmt in _CONSTRAINTS:
            value = getattr(meta, attr, None)
            if value is not None:
                if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
                    value = f"{value:g}" if abs(value) >= 1e6 else int(value)
                text = fmt.format(value)
                if text not in found:
                    found.append(text)
        inner = getattr(meta, "metadata", None)
        if inner:
            for m in inner:
                add(m)

    for meta in info.metadata:
        add(meta)
    # constraints inside Annotated[...] aliases (Quantity, Money, Code, ...)
    annotation = info.annotation
    for arg in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(arg) is typing.Annotated:
            for meta in typing.get_args(arg)[1:]:
                add(meta)
    return ", ".join(found)


def _default(info: Any) -> str:
    from pydantic_core import PydanticUndefined

    if info.is_required():
        return "**required**"
    value = info.default_factory() if info.default_factory is not None else info.default
    if value is PydanticUndefined:
        return ""
    if value is None:
        return "empty"
    if value == "":
        return '`""`'
    if hasattr(value, "model_dump"):
        return "see below"
    if isinstance(value, bool):
        return _code(str(value).lower())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _code(json.dumps(value) if isinstance(value, dict | list) else value)


def _fields_table(model: type, skip: tuple[str, ...] = ()) -> str:
    rows = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        alias = ""
        choices = getattr(info.validation_alias, "choices", None)
        if choices:
            others = [c for c in choices if c != name]
            if others:
                alias = f" (also `{'`, `'.join(others)}`)"
        rows.append(
            [
                f"`{name}`{alias}",
                _type_name(info.annotation),
                _default(info),
                _constraints(info),
                info.description or "",
            ]
        )
    return _table(
        ["column" if skip else "field", "type", "default", "constraints", "meaning"], rows
    )


def _scenario_tables() -> str:
    from materiel.scenario import schema

    common = schema._Row.model_fields
    out = [
        "Every table may also carry "
        + ", ".join(f"`{n}` ({f.description})" for n, f in common.items())
        + ". Tables are CSV or Parquet files named in `scenario.yaml`'s `tables:`.",
        "",
        _table(
            ["table", "what", "key", "required"],
            [
                [
                    f"[`{s.name}`](#table-{s.name})",
                    s.description,
                    ", ".join(s.key),
                    "yes" if s.required else "",
                ]
                for s in schema.TABLES.values()
            ],
        ),
        "",
    ]
    for spec in schema.TABLES.values():
        doc = _rst_to_md((spec.row.__doc__ or "").strip())
        out += [
            f"### `{spec.name}` {{ #table-{spec.name} }}",
            "",
            f"{spec.description[:1].upper()}{spec.description[1:]}. Key: "
            + ", ".join(f"`{k}`" for k in spec.key)
            + ("; required." if spec.required else "; optional."),
            "",
        ]
        if doc and doc != (schema._Row.__doc__ or "").strip():
            out += [doc, ""]
        out += [_fields_table(spec.row, skip=tuple(common)), ""]
    return "\n".join(out)


def _scenario_yaml() -> str:
    from materiel.scenario import schema

    parts: list[tuple[str, str, type]] = [
        ("scenario.yaml", "`scenario.yaml`", schema.ScenarioMeta),
        ("policy", "`policy:`", schema.Policy),
        ("spending", "`spending:`", schema.Spending),
    ]
    risks = schema.Risks
    rules = []  # the risks' own settings (catch_up), not a risk each
    for name, info in risks.model_fields.items():
        if isinstance(info.annotation, type) and hasattr(info.annotation, "model_fields"):
            parts.append((f"risks.{name}", f"`risks: {name}:`", info.annotation))
        else:
            rules.append(f"- `risks: {name}:` ({_default(info)}): {info.description or ''}")
    out = []
    for anchor, title, model in parts:
        doc = _rst_to_md(" ".join((model.__doc__ or "").split()))
        out += [f"### {title} {{ #yaml-{anchor.replace('.', '-').replace('_', '-')} }}", ""]
        if doc:
            out += [doc, ""]
        out += [_fields_table(model), ""]
    if rules:
        out += ["### How lost output is made up { #yaml-risks-rules }", "", *rules, ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- CLI


def _cli_app() -> Any:
    """The Typer app with every command family attached; works whether ``materiel.cli``
    is a module holding ``app`` and ``_register()``, or a package whose ``main`` module
    holds the app with every family already registered."""
    import importlib

    import materiel.cli as c

    getattr(c, "_register", lambda: None)()
    if hasattr(c, "app"):
        return c.app
    for name in ("materiel.cli.main", "materiel.cli.app"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        getattr(module, "_register", lambda: None)()
        if hasattr(module, "app"):
            return module.app
    raise RuntimeError("no Typer app found in materiel.cli or materiel.cli.main")


def _param_type(param: Any) -> str:
    kind = getattr(param, "type", None)
    if kind is not None:  # click
        choices = getattr(kind, "choices", None)
        if choices:
            return " \\| ".join(str(x) for x in choices)
        name = getattr(kind, "name", "") or ""
        return {"text": "text", "integer": "integer", "float": "number", "boolean": ""}.get(
            name.lower(), name.lower()
        )
    descriptor = getattr(param, "type_descriptor", None)  # typer's own parameters
    annotation = getattr(descriptor, "annotation", None)
    if annotation is None:
        return ""
    name = _type_name(annotation)
    return "" if name == "true/false" else name.replace("PosixPath", "path").replace("Path", "path")


def _param_row(param: Any) -> list[object]:
    opts = list(getattr(param, "opts", []) or [])
    secondary = list(getattr(param, "secondary_opts", []) or [])
    is_argument = type(param).__name__.endswith("Argument")
    if is_argument:
        name = f"`{(getattr(param, 'metavar', None) or param.name).upper()}`"
    else:
        name = " / ".join(f"`{o}`" for o in opts + secondary)
    kind = _param_type(param)
    if getattr(param, "multiple", False) or getattr(param, "nargs", 1) == -1:
        kind = kind.removeprefix("list of ")
    if getattr(param, "multiple", False):
        kind = f"{kind}, repeatable" if kind else "repeatable"
    if getattr(param, "nargs", 1) == -1:
        kind = f"{kind}, one or more" if kind else "one or more"
    default = getattr(param, "default", None)
    if callable(default) or default in (None, (), [], "") or getattr(param, "required", False):
        shown = "**required**" if getattr(param, "required", False) else ""
    elif isinstance(default, bool):
        shown = (opts if default else secondary or ["off"])[0]
        shown = f"`{shown}`" if shown.startswith("-") else shown
    elif isinstance(default, enum.Enum):
        shown = f"`{default.value}`"
    else:
        shown = f"`{default}`"
    help_text = getattr(param, "help", None) or ""
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None or high is not None:
        low, high = (f"{x:g}" if isinstance(x, float) else x for x in (low, high))
        bounds = f"{'' if low is None else low}..{'' if high is None else high}"
        help_text = f"{help_text} (range {bounds})".strip()
    return [name, kind, shown, help_text]


def _cli() -> str:
    import typer

    root = typer.main.get_command(_cli_app())
    out: list[str] = []

    def subcommands(cmd: Any) -> dict[str, Any]:
        found = getattr(cmd, "commands", None)
        return {} if not found else {n: c for n, c in found.items() if not c.hidden}

    def visit(cmd: Any, path: str, level: int) -> None:
        help_text = (cmd.help or "").replace("\b\n", "").strip()
        children = subcommands(cmd)
        if level > 1:
            anchor = "cli-" + path.replace(" ", "-")
            out.extend([f"{'#' * min(level + 1, 6)} `{path}` {{ #{anchor} }}", ""])
        if help_text:
            paragraphs = help_text.split("\n\n")
            out.extend([f"**{' '.join(paragraphs[0].split())}**", ""])
            out.extend(" ".join(p.split()) + "\n" for p in paragraphs[1:])
        params = [
            p
            for p in cmd.params
            if not getattr(p, "hidden", False) and getattr(p, "expose_value", True)
        ]
        arguments = " ".join(
            (getattr(p, "metavar", None) or p.name).upper()
            for p in params
            if type(p).__name__.endswith("Argument")
        )
        usage = f"{path}{' COMMAND' if children else ''} [OPTIONS] {arguments}".rstrip()
        out.extend([f"    {usage}", ""])
        if params:
            out.extend(
                [
                    _table(
                        ["argument or option", "type", "default", "meaning"],
                        [_param_row(p) for p in params],
                    ),
                    "",
                ]
            )
        if children:
            out.extend(
                [
                    _table(
                        ["command", "what it does"],
                        [
                            [
                                f"[`{path} {n}`](#cli-{(path + ' ' + n).replace(' ', '-')})",
                                (c.help or "").strip().split("\n\n")[0],
                            ]
                            for n, c in children.items()
                        ],
                    ),
                    "",
                ]
            )
            for name, child in children.items():
                visit(child, f"{path} {name}", level + 1)

    visit(root, "materiel", 1)
    return "\n".join(out)


# --------------------------------------------------------------------------- REST API


#: Where the application factory may live (the server, or the top floor that composes it
#: with the web pages); the first that imports is used.
APP_FACTORIES = (
    ("materiel.app", "create_app"),
    ("materiel.server.app", "create_api"),
)


def _openapi_spec() -> dict[str, Any]:
    import importlib

    errors = []
    for module_name, attr in APP_FACTORIES:
        try:
            factory = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            errors.append(f"{module_name}.{attr}: {exc}")
            continue
        from materiel.settings import Settings

        with tempfile.TemporaryDirectory() as tmp:
            app = factory(Settings(db=f"sqlite:///{Path(tmp) / 'docs.db'}"))
            spec = app.openapi()
            store = getattr(app.state, "store", None)
            dispose = getattr(getattr(store, "db", None), "engine", None)
            if dispose is not None:
                dispose.dispose()
        return spec
    raise RuntimeError("no FastAPI application factory found: " + "; ".join(errors))


def _schema_type(schema: dict[str, Any]) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#schema-{name.lower()})"
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            parts = [_schema_type(s) for s in schema[key] if s.get("type") != "null"]
            nullable = any(s.get("type") == "null" for s in schema[key])
            return " or ".join(parts) + (" (optional)" if nullable else "")
    kind = schema.get("type", "")
    if kind == "array":
        return f"list of {_schema_type(schema.get('items', {}))}"
    if kind == "object":
        return "object"
    if "enum" in schema:
        return " or ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    return kind


def _schema_constraints(schema: dict[str, Any]) -> str:
    found = []
    for key, fmt in (
        ("minimum", "≥ {}"),
        ("exclusiveMinimum", "> {}"),
        ("maximum", "≤ {}"),
        ("exclusiveMaximum", "< {}"),
        ("minLength", "length ≥ {}"),
        ("maxLength", "length ≤ {}"),
        ("pattern", "matches `{}`"),
    ):
        value = schema.get(key)
        if value is None:
            for sub in schema.get("anyOf", []):
                value = sub.get(key, value)
        if value is not None:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            found.append(fmt.format(value))
    return ", ".join(found)


def _openapi() -> str:
    spec = _openapi_spec()
    info = spec.get("info", {})
    out = [
        f"Generated from the OpenAPI {spec.get('openapi', '')} schema of the server "
        f"(`{info.get('title', '')}` {info.get('version', '')}), the same document "
        "`materiel serve` publishes at `/openapi.json`.",
        "",
        f"> {info.get('description', '')}",
        "",
    ]
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, operations in spec.get("paths", {}).items():
        for method, op in operations.items():
            if method.startswith("x-") or method == "parameters":
                continue
            tag = (op.get("tags") or ["other"])[0]
            by_tag.setdefault(tag, []).append((method.upper(), path, op))

    def op_anchor(method: str, path: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-")
        return f"op-{slug}"

    out += ["### Every operation", ""]
    out.append(
        _table(
            ["group", "method", "path", "what it does"],
            [
                [tag, f"`{m}`", f"[`{p}`](#{op_anchor(m, p)})", op.get("summary", "")]
                for tag, ops in by_tag.items()
                for m, p, op in ops
            ],
        )
    )
    out.append("")
    for tag, ops in by_tag.items():
        out += [f"### {tag[:1].upper()}{tag[1:]}", ""]
        for method, path, op in ops:
            out += [f"#### `{method} {path}` {{ #{op_anchor(method, path)} }}", ""]
            if op.get("summary"):
                out += [f"**{op['summary']}**", ""]
            if op.get("description"):
                out += [" ".join(op["description"].split()), ""]
            params = op.get("parameters", [])
            if params:
                out.append(
                    _table(
                        [
                            "parameter",
                            "in",
                            "type",
                            "required",
                            "default",
                            "constraints",
                            "meaning",
                        ],
                        [
                            [
                                f"`{p['name']}`",
                                p.get("in", ""),
                                _schema_type(p.get("schema", {})),
                                "yes" if p.get("required") else "",
                                ""
                                if "default" not in p.get("schema", {})
                                else f"`{p['schema']['default']}`",
                                _schema_constraints(p.get("schema", {})),
                                p.get("description") or p.get("schema", {}).get("description", ""),
                            ]
                            for p in params
                        ],
                    )
                )
                out.append("")
            body = op.get("requestBody")
            if body:
                for media, content in body.get("content", {}).items():
                    out += [
                        f"Body ({media}{', required' if body.get('required') else ''}): "
                        f"{_schema_type(content.get('schema', {}))}",
                        "",
                    ]
            responses = op.get("responses", {})
            if responses:
                out.append(
                    "Responses: "
                    + "; ".join(
                        f"`{code}` {r.get('description', '')}"
                        + (
                            f" ({_schema_type(r['content']['application/json']['schema'])})"
                            if "$ref" in str(r.get("content", {}).get("application/json", {}))
                            else ""
                        )
                        for code, r in responses.items()
                    )
                )
                out.append("")
    schemas = spec.get("components", {}).get("schemas", {})
    if schemas:
        out += ["### Request and error bodies", ""]
        for name, schema in schemas.items():
            out += [f"#### `{name}` {{ #schema-{name.lower()} }}", ""]
            if schema.get("description"):
                out += [" ".join(schema["description"].split()), ""]
            props = schema.get("properties", {})
            required = set(schema.get("required", []))
            if props:
                out.append(
                    _table(
                        ["field", "type", "required", "default", "constraints", "meaning"],
                        [
                            [
                                f"`{field}`",
                                _schema_type(s),
                                "yes" if field in required else "",
                                "" if "default" not in s else f"`{json.dumps(s['default'])}`",
                                _schema_constraints(s),
                                s.get("description", ""),
                            ]
                            for field, s in props.items()
                        ],
                    )
                )
                out.append("")
            extra = schema.get("additionalProperties")
            if extra is False:
                out += ["No other fields are accepted.", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- packages


def _first_paragraph(doc: str | None) -> str:
    return " ".join((doc or "").strip().split("\n\n")[0].split())


def _packages() -> str:
    """Every package and top-level module of src/materiel, with what its docstrings say
    (read statically: nothing is imported)."""
    base = SRC / "materiel"
    out = []
    for path in sorted(base.iterdir()):
        if path.name.startswith(("_", ".")) and path.name != "__init__.py":
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            doc = ast.get_docstring(ast.parse((path / "__init__.py").read_text(encoding="utf-8")))
            modules = []
            for module in sorted(path.glob("*.py")):
                if module.name == "__init__.py":
                    continue
                mdoc = ast.get_docstring(ast.parse(module.read_text(encoding="utf-8")))
                modules.append([f"`{module.stem}`", _rst_to_md(_first_paragraph(mdoc))])
            out += [f"### `materiel.{path.name}`", ""]
            if doc:
                out += [_rst_to_md(_first_paragraph(doc)), ""]
            if modules:
                out += [_table(["module", "what its docstring says"], modules), ""]
        elif path.suffix == ".py" and path.name != "__init__.py":
            mdoc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            out += [f"### `materiel.{path.stem}`", "", _rst_to_md(_first_paragraph(mdoc)), ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- included files


def _include(path: Path, shift: int = 1) -> Callable[[], str]:
    def make() -> str:
        text = path.read_text(encoding="utf-8")
        if text.startswith("# "):  # the file's own title: the page gives its own
            text = text.partition("\n")[2]
        lines = []
        fenced = False
        for line in text.splitlines():
            if line.startswith("```"):
                fenced = not fenced
            if not fenced and re.match(r"^#{1,5} ", line):
                line = "#" * shift + line
            lines.append(line)
        return "\n".join(lines)

    return make


def _settings() -> str:
    """Every setting with its ``MATERIEL_*`` variable, from :class:`materiel.settings.Settings`."""
    from materiel.settings import Settings

    table = _fields_table(Settings)
    for name in Settings.model_fields:
        table = table.replace(f"| `{name}` |", f"| `{name}` (`MATERIEL_{name.upper()}`) |", 1)
    return table


GENERATORS: dict[str, Callable[[], str]] = {
    "settings": _settings,
    "model": _model,
    "scenario-tables": _scenario_tables,
    "scenario-yaml": _scenario_yaml,
    "cli": _cli,
    "packages": _packages,
    "openapi": _openapi,
    "builtin-readme": _include(
        SRC / "materiel" / "scenario" / "builtin" / "nato-2024" / "README.md"
    ),
    "public-data-readme": _include(SRC / "materiel" / "data" / "public" / "README.md"),
}


def generated(name: str) -> str:
    if name not in GENERATORS:
        raise KeyError(f"unknown generated part {name!r}; known: {sorted(GENERATORS)}")
    if name not in _cache:
        _cache[name] = GENERATORS[name]()
    return _cache[name]


# --------------------------------------------------------------------------- MkDocs events


def on_pre_build(config: Any) -> None:
    _cache.clear()


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return MARKER.sub(lambda m: generated(m.group(1)), markdown)
