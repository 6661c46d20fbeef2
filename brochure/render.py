"""Render a document's HTML from its Jinja template and the validated content."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from brochure.errors import BrochureError


@cache
def environment(templates: Path) -> jinja2.Environment:
    """One environment per template folder, so compiled templates are reused between documents.

    StrictUndefined turns a misspelt variable into an error instead of an empty gap on paper;
    autoescape keeps content text from ever being read as markup.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(templates: Path, name: str, context: dict[str, Any]) -> str:
    """Render templates/NAME; template mistakes become `templates/NAME:LINE: message`."""
    env = environment(templates)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = _where(templates, exc.name or name)
        raise BrochureError(f"{where}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        where, line = _template_frame(exc, templates, name)
        raise BrochureError(f"{where}:{line}: template not found: {exc.name}") from None
    except Exception as exc:  # any mistake inside a template: name its line, not ours
        where, line = _template_frame(exc, templates, name)
        raise BrochureError(f"{where}:{line}: {_plain(exc)}") from None


def _plain(exc: Exception) -> str:
    """Jinja speaks of Python objects; say it in the designer's terms."""
    message = getattr(exc, "message", None) or str(exc)
    attribute = re.fullmatch(r"'[\w.]+ object' has no attribute '(\w+)'", message)
    if attribute:
        return f"there is no field named '{attribute[1]}' here; check the spelling"
    undefined = re.fullmatch(r"'(\w+)' is undefined", message)
    if undefined:
        return f"'{undefined[1]}' is not defined; check the spelling or the import line"
    return message


def _where(templates: Path, name: str) -> str:
    return f"{templates.name}/{name}"


def _template_frame(exc: BaseException, templates: Path, name: str) -> tuple[str, int]:
    """Find the innermost template frame in the traceback: that is the line the designer wrote."""
    root = templates.resolve()
    found = (_where(templates, name), 1)
    tb = exc.__traceback__
    while tb is not None:
        path = Path(tb.tb_frame.f_code.co_filename)
        if path.is_absolute() and path.is_relative_to(root):
            found = (_where(templates, path.relative_to(root).as_posix()), tb.tb_lineno)
        tb = tb.tb_next
    return found
