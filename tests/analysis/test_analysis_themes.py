"""Theme tagging per language, non-answers, negation and ordering (invented answers)."""

from __future__ import annotations

import pytest

from analysis import ThemeTagger


@pytest.fixture(scope="module")
def tm():
    return ThemeTagger("trusted_messenger").fit()


@pytest.fixture(scope="module")
def res():
    return ThemeTagger("resources").fit()


def primary(tagger, text, lang=None):
    return tagger.predict([text], [lang] if lang else None)[0][0]


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("my auntie, she raised 6 kids", "en", "family"),
        ("the lady next door", "en", "friends_neighbors"),
        ("our pediatrician", "en", "clinician"),
        ("the case manager at the hospital", "en", "chw_promotora"),
        ("the imam at our mosque", "en", "faith"),
        ("my son's kindergarten teacher", "en", "school"),
        ("volunteers at the community center", "en", "community_org"),
        ("the news on tv", "en", "media"),
        ("i just google it", "en", "online_social"),
        ("county public health", "en", "public_health"),
        ("a mi suegra", "es", "family"),
        ("mis compañeras de trabajo", "es", "friends_neighbors"),
        ("el pediatra de mis hijos", "es", "clinician"),
        ("la trabajadora social", "es", "chw_promotora"),
        ("el padrecito de la parroquia", "es", "faith"),
        ("la maestra del kinder", "es", "school"),
        ("bà nội của con", "vi", "family"),
        ("hàng xóm", "vi", "friends_neighbors"),
        ("bác sĩ gia đình", "vi", "clinician"),
        ("nghe đài tiếng Việt", "vi", "media"),
        ("外婆", "zh_Hant", "family"),
        ("鄰居", "zh_Hant", "friends_neighbors"),
        ("兒科醫生", "zh_Hant", "clinician"),
        ("教會的牧師", "zh_Hant", "faith"),
        ("lola ko", "tl", "family"),
        ("kapitbahay namin", "tl", "friends_neighbors"),
        ("doktor sa ospital", "tl", "clinician"),
        ("시어머니", "ko", "family"),
        ("동네 엄마들", "ko", "friends_neighbors"),
        ("성당 신부님", "ko", "faith"),
        ("유튜브", "ko", "online_social"),
    ],
)
def test_trusted_messenger_terms(tm, text, lang, label):
    assert primary(tm, text, lang) == label


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("snap and the pantry", "en", "food"),
        ("help with the deposit for an apartment", "en", "housing"),
        ("gas cards", "en", "transportation"),
        ("daycare for my toddler", "en", "childcare_early"),
        ("after school tutoring", "en", "school_youth"),
        ("the library computers", "en", "library"),
        ("a doula and lactation help", "en", "prenatal_parenting"),
        ("police station car seat check", "en", "child_safety"),
        ("therapy for my anxiety", "en", "behavioral_health"),
        ("respite for caregivers", "en", "caregiving_home"),
        ("an immigration lawyer", "en", "legal_immigration"),
        ("help with the electric bill", "en", "income_jobs"),
        ("renew my medi-cal", "en", "health_coverage"),
        ("estampillas de comida", "es", "food"),
        ("me ayudaron con el alquiler", "es", "housing"),
        ("un raite al doctor", "es", "transportation"),
        ("la guardería", "es", "childcare_early"),
        ("clases de crianza", "es", "prenatal_parenting"),
        ("un abogado para los papeles", "es", "legal_immigration"),
        ("thư viện", "vi", "library"),
        ("bảo hiểm y tế", "vi", "health_coverage"),
        ("食物銀行", "zh_Hant", "food"),
        ("房租補助", "zh_Hant", "housing"),
        ("보증금 지원", "ko", "housing"),
        ("도서관", "ko", "library"),
        ("trabaho para sa asawa ko", "tl", "income_jobs"),
    ],
)
def test_resources_terms(res, text, lang, label):
    assert primary(res, text, lang) == label


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("idk", "en"),
        ("nobody really", "en"),
        ("nadie", "es"),
        ("no sé", "es"),
        ("không biết", "vi"),
        ("不知道", "zh_Hant"),
        ("wala po", "tl"),
        ("잘 모르겠어요", "ko"),
        ("?", "en"),
        ("🤷‍♀️", "en"),
        ("😔", "es"),
        ("call me 555-0100", "en"),
        ("www.example.com", "en"),
        ("<script>alert('x')</script>", "en"),
        ("'; DROP TABLE answers; --", "en"),
        ("", "en"),
    ],
)
def test_non_answers_are_none(tm, res, text, lang):
    assert tm.predict([text], [lang]) == [["none"]]
    assert res.predict([text], [lang]) == [["none"]]


def test_grandma_emoji_is_family(tm):
    assert tm.predict(["👵🏽"]) == [["family"]]


def test_distrust_is_not_trust(tm):
    assert tm.predict(["I don't trust doctors, I ask my sister"]) == [["family"]]
    assert tm.predict(["no confío en los doctores"], ["es"]) == [["none"]]
    assert tm.predict(["she had a bad experience at the clinic"]) == [["none"]]


def test_labels_in_order_of_mention(tm):
    assert tm.predict(["my doctor and my mom"]) == [["clinician", "family"]]
    assert tm.predict(["my mom and my doctor"]) == [["family", "clinician"]]


def test_longest_term_wins(tm, res):
    assert primary(tm, "the school nurse") == "school"
    assert primary(res, "medi-cal transportation") == "transportation"


def test_statewide_programs_are_themes(tm, res):
    assert tm.predict(["WIC"]) == [["community_org"]]
    assert res.predict(["WIC"]) == [["food"]]
    assert primary(tm, "KakaoTalk", "ko") == "online_social"
    assert primary(res, "head start", "es") == "childcare_early"


def test_friends_met_at_church_are_friends(tm):
    assert primary(tm, "friends from church") == "friends_neighbors"


def test_story_time_at_the_library_is_early_childhood(res):
    assert primary(res, "story time at the library") == "childcare_early"
    assert primary(res, "the library for computers") == "library"


def test_misspelling_is_recovered(tm):
    assert primary(tm, "my pedeatrician") == "clinician"
