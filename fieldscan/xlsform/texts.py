"""Texts the importer writes itself, in every language fieldscan speaks.

pyxform expands ``select_one list or_other`` into an ``other`` choice labelled "Other" and
a follow-up text question labelled "Specify other.", in English whatever the form's
languages. The importer replaces these two untranslated labels with the ones below.
Plain-language translations; review by a qualified medical interpreter is recommended
before use with patients, as for the catalogs.
"""

from __future__ import annotations

#: The label of the ``other`` choice that ``or_other`` adds.
OTHER_CHOICE: dict[str, str] = {
    "en": "Other",
    "es": "Otro",
    "vi": "Khác",
    "zh_Hant": "其他",
    "tl": "Iba pa",
    "ko": "기타",
    "ar": "أخرى",
    "hy": "Այլ",
    "km": "ផ្សេងទៀត",
    "fa": "دیگر",
    "ru": "Другое",
    "hmn": "Lwm yam",
}

#: The label of the follow-up question that ``or_other`` adds.
SPECIFY_OTHER: dict[str, str] = {
    "en": "Please specify the other answer.",
    "es": "Por favor, especifique la otra respuesta.",
    "vi": "Vui lòng ghi rõ câu trả lời khác.",
    "zh_Hant": "請說明其他答案。",
    "tl": "Pakisulat ang iba pang sagot.",
    "ko": "기타 답변을 적어 주세요.",
    "ar": "يرجى تحديد الإجابة الأخرى.",
    "hy": "Խնդրում ենք նշել այլ պատասխանը։",
    "km": "សូមបញ្ជាក់ចម្លើយផ្សេងទៀត។",
    "fa": "لطفاً پاسخ دیگر را مشخص کنید.",
    "ru": "Пожалуйста, укажите другой ответ.",
    "hmn": "Thov sau lwm cov lus teb.",
}

#: pyxform's own (English-only) labels for what ``or_other`` adds.
PYXFORM_OTHER_CHOICE = "Other"
PYXFORM_SPECIFY_OTHER = "Specify other."
