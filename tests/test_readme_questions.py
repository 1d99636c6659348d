"""The README's plain-SPARQL questions answer what the README says they answer."""

from __future__ import annotations

import re

from defcoop import resources
from defcoop.query.runner import check_syntax, execute
from defcoop.query.syntax import declare_prefixes

README = (resources.root() / "README.md").read_text(encoding="utf-8")
QUESTIONS = re.findall(r"defcoop query --sparql '([^']+)'", README.split("**Your own questions")[1])
ROWS = [2, 1, 4]  # as the README says: 2 agreements, 1 quote, 4 ministers


def test_the_readme_shows_three_questions():
    assert len(QUESTIONS) == len(ROWS)


def test_each_question_gives_the_answer_the_readme_states():
    for text, rows in zip(QUESTIONS, ROWS):
        declared, offset = declare_prefixes(text)
        assert offset == 1 and not declared.startswith("SELECT")
        check_syntax(declared, "README", offset)
        result = execute(declared, name="README")
        assert len(result.rows) == rows, text
