"""The detector of text in another language (tests/i18n/language_leaks.py), on real kk, ru and en snippets."""

import pytest

from .language_leaks import Names, leaks, leaks_in_text, offends, schema_text, visible_text

KK = "Сайлау нәтижелері бойынша учаскелік комиссияның қызметі: хаттаманы енгізуді аяқтау"
RU = "Последние действия: просмотреть протокол участковой комиссии"
EN = "Recent actions: view the protocol of the precinct commission"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (KK, "kk"),
        ("Сүзгі | Іздеу | Сақтау | Құпиясөзді өзгерту | Шығу", "kk"),
        # Words Russian and Kazakh share, and Kazakh words with ы, э, щ, ъ, ё.
        ("Протокол, комиссия, кандидат, партия, статус, сайт, схема, параметр: ащы, эфир, объект", "kk"),
        ("Не болды? Мен де, ол да. Он бес.", "kk"),  # не (what), да/де (also), он (ten)
        (RU, "ru"),
        ("Объект, съезд, щётка, ёлка, эфир", "ru"),
        (EN, "en"),
        ("Protocol No. 12 (352031000), 25.07.2021 – 100%", "en"),
    ],
)
def test_text_of_the_pages_language_passes(text, language):
    assert leaks_in_text(text, language) is None


@pytest.mark.parametrize(
    ("text", "language", "words"),
    [
        (RU, "kk", ("Последние", "действия", "просмотреть", "участковой", "комиссии")),
        ("Фильтр элементов навигации", "kk", ("Фильтр",)),
        ("ОТКРЫТЬ САЙТ", "kk", ("ОТКРЫТЬ",)),
        ("Хаттаманы енгізу и тексеру", "kk", ("и",)),  # one Russian word in a Kazakh sentence
        (KK, "ru", ("нәтижелері", "учаскелік", "комиссияның", "қызметі", "енгізуді", "аяқтау")),
        ("Избирательный участок № 1 (Қарағанды)", "ru", ("Қарағанды",)),
        ("Бірінші учаске", "ru", ("Бірінші",)),  # і alone
        (RU, "en", ("Последние", "действия", "просмотреть", "протокол", "участковой", "комиссии")),
        (KK, "en", tuple(KK.replace(":", "").split())),
        ("Polling station №1 — Абай", "en", ("Абай",)),
    ],
)
def test_text_of_another_language_fails_with_its_words(text, language, words):
    leak = leaks_in_text(text, language)
    assert leak is not None and leak.words == words
    for word in words:
        assert f"[{word}]" in leak.context


def test_the_context_marks_the_words_and_cuts_long_text():
    text = "Сайлау " * 30 + "Показать счётчики" + " нәтижелері" * 30
    leak = leaks_in_text(text, "kk")
    assert leak.words == ("Показать",)
    assert leak.context.startswith("…") and leak.context.endswith("…")
    assert "[Показать] счётчики" in leak.context
    assert len(leak.context) < 2 * 40 + 30


@pytest.mark.parametrize(("word", "language"), [("ғ", "ru"), ("Һ", "ru"), ("ё", "en"), ("и", "kk"), ("И", "kk")])
def test_one_letter_or_word_is_enough(word, language):
    assert offends(word, language)


@pytest.mark.parametrize(("word", "language"), [("е", "ru"), ("e", "en"), ("не", "kk"), ("и", "ru"), ("қ", "kk")])
def test_letters_and_words_of_the_language_pass(word, language):
    assert not offends(word, language)


def test_visible_text_leaves_out_scripts_styles_and_hidden_values():
    html = """<html lang="kk"><head><title>Басты бет</title><style>.a{content:"Поиск"}</style>
    <script>var t = "Последние действия";</script></head><body>
    <template><p>Удалить</p></template>
    <input type="hidden" name="next" value="Поиск">
    <input type="text" value="Абайский район" placeholder="Іздеу">
    <input type="submit" value="Сақтау"><button aria-label="Жабу">×</button>
    <img src="x.png" alt="Логотип"><a href="/" title="Басты бет">Бас</a>
    <select><option value="1" label="Бірінші">1</option></select>
    </body></html>"""
    assert [text.strip() for text, _language in visible_text(html)] == [
        "Басты бет",
        "Іздеу",
        "Сақтау",
        "Жабу",
        "×",
        "Логотип",
        "Басты бет",
        "Бас",
        "Бірінші",
        "1",
    ]
    assert leaks(html, "kk") == []


def test_the_attributes_a_user_sees_are_checked():
    html = """<input type="search" placeholder="Начните печатать для фильтрации...">
    <input type="submit" value="Сохранить"><a title="Открыть сайт" href="/">x</a>
    <img alt="Поиск"><button aria-label="Выйти">x</button><select><option label="Все">x</option></select>"""
    assert [leak.words for leak in leaks(html, "kk")] == [
        ("для",),
        ("Сохранить",),
        ("Открыть",),
        ("Поиск",),
        ("Выйти",),
        ("Все",),
    ]


def test_text_declared_in_another_language_is_left_alone():
    """The language switcher names each language in itself, with its lang attribute."""
    html = """<html lang="kk"><body><form><select name="language">
    <option value="kk" lang="kk">Қазақ</option><option value="ru" lang="ru">Русский</option>
    <option value="en" lang="en">English</option></select></form>
    <p>Показать <span lang="ru">Все</span></p></body></html>"""
    assert [leak.words for leak in leaks(html, "kk")] == [("Показать",)]
    assert leaks(html.replace(' lang="ru"', ""), "kk")[-1].words == ("Все",)
    assert [leak.words for leak in leaks(html, "en")] == [("Показать",)]  # the kk option is declared kk


def test_the_page_language_on_html_is_not_an_exception():
    assert [leak.words for leak in leaks('<html lang="ru"><p>Поиск</p></html>', "kk")] == [("Поиск",)]


def test_names_of_people_and_places_are_excused_where_they_are_written_in_full():
    names = Names(["Абайский район", "Әлиев Нұрлан Серікұлы", "Қарағанды облысы"])
    assert leaks_in_text("Абайский район (352000000)", "kk", names) is None
    assert leaks_in_text("Кандидат: Әлиев Нұрлан Серікұлы", "ru", names) is None
    assert leaks_in_text("Қарағанды облысы", "ru", names) is None
    # The same word outside the name is still a leak: район alone, a Kazakh word beside a name.
    assert leaks_in_text("Абайский район, район", "kk", names).words == ("район",)
    assert leaks_in_text("Әлиев Нұрлан Серікұлы, қызметі", "ru", names).words == ("қызметі",)
    # A name in part is not the name.
    assert leaks_in_text("Абайский", "en", names).words == ("Абайский",)


def test_a_name_twice_and_a_word_twice_in_one_text():
    names = Names(["Абайский район"])
    text = "Абайский район; Абайский район и район"
    assert leaks_in_text(text, "kk", names).words == ("и", "район")


def test_the_schema_texts_are_titles_summaries_and_descriptions():
    schema = {
        "info": {"title": "API", "description": "Сайлау деректері"},
        "paths": {"/units/": {"get": {"summary": "Бірліктер", "parameters": [{"name": "k", "description": "Түрі"}]}}},
        "components": {"schemas": {"Unit": {"properties": {"kato": {"type": "string", "title": "КАТО"}}}}},
    }
    assert sorted(schema_text(schema)) == sorted(["API", "Сайлау деректері", "Бірліктер", "Түрі", "КАТО"])


def test_an_unknown_language_has_no_rule():
    with pytest.raises(ValueError, match="de"):
        offends("Wahl", "de")
