"""Language detection on short answers."""

from __future__ import annotations

import pytest

from analysis import detect_language
from analysis._resources import canonical_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("my grandma and the pastor", "en"),
        ("mi mamá y la doctora de la clínica", "es"),
        ("mẹ chồng tôi", "vi"),
        ("교회 목사님이요", "ko"),
        ("IHSS 엄마 간병", "ko"),
        ("我媽媽和醫生", "zh_Hant"),
        ("моя мама и врач", "ru"),
        ("մայրս և բժիշկը", "hy"),
        ("أمي والطبيب", "ar"),
        ("مادرم و دکتر", "fa"),
        ("ម្តាយខ្ញុំ", "km"),
        ("kuv niam thiab tus kws kho mob", "hmn"),
        ("ang nanay ko at ang doktor", "tl"),
        ("🤷", "und"),
        ("555-0100", "und"),
    ],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("zh-Hant", "zh_Hant"),
        ("ES", "es"),
        ("es-MX", "es"),
        ("fil", "tl"),
        ("xx", None),
        ("", None),
    ],
)
def test_canonical_language(code, lang):
    assert canonical_language(code) == lang
