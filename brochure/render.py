"""Render a document's HTML from its Jinja template and the validated content."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from pydantic import BaseModel

from brochure.content import SLOT
from brochure.documents import COMMON_CONTENT
from brochure.errors import BrochureError


class TemplateOutside(jinja2.TemplateNotFound):
    """A template name that leads out of the templates folder (through a link, for one)."""


class ConfinedLoader(jinja2.FileSystemLoader):
    """Loads templates only from inside one folder, and remembers which ones a render used.

    Jinja follows symbolic links; a link to /etc inside templates/ would print system files
    into a handout. Every use of a template, compiled or cached, passes through here or
    through the `uptodate` check returned with it, so `used` is exact for each render.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.root = folder.resolve()
        self.used: set[str] = set()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple:
        source, filename, uptodate = super().get_source(environment, template)
        target = Path(filename).resolve()
        if not target.is_relative_to(self.root):
            raise TemplateOutside(template, f"{template} leads outside the templates folder")
        self.used.add(template)

        def still_current() -> bool:
            self.used.add(template)
            return bool(uptodate and uptodate()) and Path(filename).resolve() == target

        return source, filename, still_current


#: Values whose own methods a template may call (the immutable sandbox already refuses the
#: ones that change them): text, numbers, lists, mappings, dates.
PLAIN_TYPES = (str, int, float, bool, type(None), list, tuple, dict, date)


class UndeclaredContent(jinja2.TemplateRuntimeError):
    """A template showed a part of content.yml its document's spec does not list."""


class ContentView:
    """The content as one document may see it: the common parts and those its spec lists in
    `reads` ("faq", or a part of a part: "trifold.cover"). The declaration decides city copies
    and what the translator's notes say a string is printed on, so a template may not quietly
    read more than it declares."""

    def __init__(
        self,
        model: Any,
        document: str,
        reads: tuple[str, ...],
        path: str = "",
        shown: set[str] | None = None,
    ) -> None:
        self._model = model
        self._document = document
        self._reads = reads
        self._path = path
        self._shown = set() if shown is None else shown  # shared with the views it hands out
        self._allowed: dict[str, bool] = {}  # name: whole (True), or only some of its parts
        for read in (*(COMMON_CONTENT if not path else ()), *reads):
            head, _, rest = read.partition(".")
            self._allowed[head] = self._allowed.get(head, False) or not rest

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        cls = type(self._model)
        if name not in cls.model_fields and not isinstance(getattr(cls, name, None), property):
            # Fields and properties only, as the sandbox allows on the content itself: never
            # a library method such as pydantic's model_construct.
            raise SecurityError(f"access to attribute {name!r} of the content is unsafe")
        value = getattr(self._model, name)
        whole = self._allowed.get(name)
        if whole is None and name in cls.model_fields:
            field = f"{self._path}{name}"
            raise UndeclaredContent(
                f"the {self._document} shows content.{field}, which its spec does not read; "
                f"add '{field}' to the reads of {self._document} in brochure/documents.py"
            )
        self._shown.add(f"{self._path}{name}")
        if whole or whole is None:
            return value
        prefix = f"{name}."
        parts = tuple(r.removeprefix(prefix) for r in self._reads if r.startswith(prefix))
        return ContentView(value, self._document, parts, f"{self._path}{name}.", self._shown)


def parts_shown(view: ContentView) -> set[str]:
    """Every part of the content a render through VIEW looked at ("trifold.cover.headline"),
    so a test can hold the declaration to what the template really shows."""
    return set(view._shown)


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, narrowed to an allow-list: on brochure's own objects (the content,
    the edition, the document, the profile) a template may read fields and properties and
    call the few methods listed below, nothing else. Library methods such as pydantic's
    `parse_raw` (which unpickles) or `pathlib.Path.read_text` are out of reach."""

    METHODS = frozenset({"makes", "panel_geometry"})
    #: What a `for` loop tells about itself (`loop.index`: "question 3").
    LOOP = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(obj, PLAIN_TYPES):
            return True
        if isinstance(obj, jinja2.runtime.LoopContext):
            return attr in self.LOOP
        cls = type(obj)
        if not cls.__module__.startswith("brochure."):
            return False
        if isinstance(obj, ContentView):
            return True  # it checks each name against the document's declaration itself
        if attr in getattr(cls, "HIDDEN_FROM_TEMPLATES", ()):
            return False
        if isinstance(obj, BaseModel):
            return attr in cls.model_fields or isinstance(getattr(cls, attr, None), property)
        if dataclasses.is_dataclass(obj):
            fields = {field.name for field in dataclasses.fields(obj)}
            return (
                attr in fields
                or attr in self.METHODS
                or isinstance(getattr(cls, attr, None), property)
            )
        return False


@lru_cache(maxsize=8)  # one per templates folder: one or two per process
def environment(templates: Path) -> jinja2.Environment:
    """One environment per template folder (a handful per process), so compiled templates are
    reused between documents.

    Sandboxed: a template can read the content it is given, never Python's internals (no
    `cycler.__init__.__globals__`). StrictUndefined turns a misspelt variable into an error
    instead of an empty gap on paper; autoescape keeps content text from ever being markup.
    """
    env = TemplateSandbox(
        loader=ConfinedLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["keep_last_words"] = keep_last_words
    env.filters["page_numbers_css"] = page_numbers_css
    env.filters["with_region"] = with_region
    env.filters["city_lead"] = city_lead
    return env


@jinja2.pass_context
def city_lead(context: jinja2.runtime.Context, name: str) -> markupsafe.Markup:
    """`{{ place.name|city_lead }}`: the bold start of a city's paragraph as the language
    writes it (trifold.back.city_lead): "Worcester." then a space; in Chinese the name and a
    full-width colon, and no space (full-width punctuation carries its own)."""
    pattern = context["content"].trifold.back.city_lead
    lead = SLOT.sub(lambda _slot: str(name), pattern)
    space = "" if unicodedata.east_asian_width(lead[-1]) in "WF" else " "
    return markupsafe.Markup("<strong>{}</strong>{}").format(lead, space)


@jinja2.pass_context
def with_region(context: jinja2.runtime.Context, name: str) -> str:
    """`{{ city.name|with_region }}`: the name and the state, written as content.yml's
    program.place says for this language ("Worcester, Massachusetts", "麻省伍斯特"), so a
    template never puts its own comma between them."""
    return context["content"].program.with_region(str(name))


def page_numbers_css(label: str) -> markupsafe.Markup:
    """A CSS `content` value for a page's margin box from a label such as "Page {page} of
    {pages}" (validated to hold each slot once): the words as CSS strings, the slots as the
    page counters. Every character a style sheet or HTML could read as syntax (quote,
    backslash, angle brackets, ampersand, line breaks) is written as a CSS escape, so the
    words cannot end the string or the <style> element they are printed in."""
    parts = re.split(r"(\{pages?\})", str(label))
    values = []
    for part in parts:
        if part in ("{page}", "{pages}"):
            values.append(f"counter({part[1:-1]})")
        elif part:
            escaped = "".join(
                f"\\{ord(c):x} " if c in "\"\\<>&'" or ord(c) < 32 else c for c in part
            )
            values.append(f'"{escaped}"')
    return markupsafe.Markup(" ".join(values))


def keep_last_words(text: str) -> str:
    """Join the last two words with a no-break space, so a heading or a bullet line never ends
    with one word alone on its last line. Text of fewer than three words, or written without
    spaces (Chinese), is left as it is."""
    words = str(text).rsplit(" ", 2)
    if len(words) < 3 or not all(words):
        return str(text)
    return f"{words[0]} {words[1]}\u00a0{words[2]}"


def templates_used(templates: Path) -> list[str]:
    """The templates the last render from this folder used (in this process)."""
    loader = environment(templates).loader
    assert isinstance(loader, ConfinedLoader)
    return sorted(loader.used)


def render_html(templates: Path, name: str, context: dict[str, Any]) -> str:
    """Render templates/NAME; template mistakes become `templates/NAME:LINE: message`."""
    env = environment(templates)
    loader = env.loader
    assert isinstance(loader, ConfinedLoader)
    loader.used.clear()
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = _where(templates, exc.name or name)
        raise BrochureError(f"{where}:{exc.lineno}: {exc.message}") from None
    except TemplateOutside as exc:
        where, line = _template_frame(exc, templates, name)
        raise BrochureError(
            f"{where}:{line}: {exc.name!r} leads outside the {templates.name} folder (a link "
            f"to another place?); only files inside {templates.name}/ can be used"
        ) from None
    except jinja2.TemplateNotFound as exc:
        where, line = _template_frame(exc, templates, name)
        raise BrochureError(f"{where}:{line}: template not found: {exc.name}") from None
    except SecurityError as exc:
        where, line = _template_frame(exc, templates, name)
        raise BrochureError(
            f"{where}:{line}: not allowed in a template ({exc}); templates may only show the "
            "content they are given"
        ) from None
    except jinja2.TemplateError as exc:
        where, line = _template_frame(exc, templates, name)
        raise BrochureError(f"{where}:{line}: {_plain(exc)}") from None
    except RecursionError:
        raise BrochureError(
            f"{_where(templates, name)}: templates include each other without end; "
            "check the include, import and extends lines"
        ) from None
    except (
        TypeError,
        ValueError,
        AttributeError,
        KeyError,
        IndexError,
        ZeroDivisionError,
        OverflowError,
    ) as exc:
        # A mistake in an expression the designer wrote: name its line, not ours.
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
