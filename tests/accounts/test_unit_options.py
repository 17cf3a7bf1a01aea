"""``{% unit_options %}``: the unit pickers' option lists, escaped, one selected."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from tests.factories import make_unit

TEMPLATE = Template("{% load units %}{% unit_options choices selected %}")


def render(choices, selected) -> str:
    return TEMPLATE.render(Context({"choices": choices, "selected": selected}))


def test_pairs_are_escaped_and_the_chosen_one_is_selected():
    html = render([(1, "HQ"), (2, 'HQ/R&D <"Lab">'), (3, "HQ/O'Neil")], 2)
    assert html == (
        '<option value="1">HQ</option>'
        '<option value="2" selected>HQ/R&amp;D &lt;&quot;Lab&quot;&gt;</option>'
        '<option value="3">HQ/O&#x27;Neil</option>'
    )


@pytest.mark.parametrize("selected", [None, "", "abc", 99])
def test_nothing_selected_when_the_choice_is_not_a_listed_unit(selected):
    assert "selected" not in render([(1, "HQ"), (2, "HQ/Finance")], selected)


def test_the_selected_unit_may_be_given_as_its_id_in_text():
    assert render([(1, "HQ"), (2, "HQ/Finance")], "2").count(" selected") == 1


@pytest.mark.django_db
def test_units_and_a_unit_as_the_selection():
    finance = make_unit("HQ/Finance")
    hq = finance.parent
    html = render([hq, finance], finance)
    assert html == (
        f'<option value="{hq.pk}">HQ</option>'
        f'<option value="{finance.pk}" selected>HQ/Finance</option>'
    )
