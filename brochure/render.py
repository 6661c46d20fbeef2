"""Render a document's HTML from its Jinja template and the validated content."""

from __future__ import annotations

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
        raise BrochureError(
            f"{_where(templates, exc.name or name)}:{exc.lineno}: {exc.message}"
        ) from None
    except (jinja2.TemplateNotFound, jinja2.UndefinedError) as exc:
        where, line = _template_frame(exc, templates, name)
        what = (
            f"template not found: {exc.name}"
            if isinstance(exc, jinja2.TemplateNotFound)
            else exc.message
        )
        raise BrochureError(f"{where}:{line}: {what}") from None


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
