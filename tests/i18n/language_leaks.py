"""Text of another language on a page: the detector behind the one-language page tests.

`leaks(html, language, names)` returns the offending words of a rendered page, each in its context.
Only what a user sees is read: text outside <script>, <style> and <template>, and the attributes a
browser shows or reads aloud (title, placeholder, aria-label, alt, the label of an <option>, the value
of a button). Text inside an element whose `lang` says it is another language is left alone (the
language switcher names each language in itself), and so are the names of people and places and
other data typed by users (`names`): they are removed before the words are checked.

The rules, one per page language:
- en: no Cyrillic letter at all;
- ru: no letter of the Kazakh alphabet that Russian lacks (ә ғ қ ң ө ұ ү һ і);
- kk: none of the words of RUSSIAN_ONLY_WORDS, frequent Russian words that are not Kazakh.

Why Kazakh pages are checked against a list of words rather than letters: every letter of the
Russian alphabet is also a letter of the Kazakh one. ы and э are native (сайлау бойынша, қызмет,
эфир), щ is native too (ащы, тұщы), ъ and ё occur in the Russian loanwords Kazakh writes as Russian
does (объект, субъект, съезд). So a Russian word is recognised by itself. The list holds the Russian
function words (и, в, на, по, для, или, что, это...) and the frequent words of Django's admin, of DRF
and of this project's pages, in the forms the pages use. Words that are Kazakh too are left out, even
when they are frequent Russian words: не (what), да (also), он (ten), от (fire), о (that), без
(gland), май (butter; May is мамыр); so are the loanwords both languages write alike (сайт, схема,
параметр, группа, протокол, комиссия, кандидат, партия, статус), while their Russian inflected forms
(комиссии, параметры, группы) are in the list: Kazakh inflects them with its own suffixes
(комиссиясы, параметрлер, топтар).
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

KAZAKH_ONLY_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
WORD = re.compile(r"[^\W\d_]+")

# Frequent Russian words that are not Kazakh, lower case, in the forms pages show.
_RUSSIAN_ONLY = """
    и в во на по для или все всё всех нет это этот эта эти что как при из за к с со до после
    уже ещё еще только также если чтобы был была было были быть есть может можно нельзя нужно
    вы ваш ваша ваши вас вам мы нас наш его её ее их они она оно кто который которая которые
    последние последний действия действие действий мои мой моя мое моё недоступно
    просмотреть просмотр открыть сайта изменить изменение изменения изменено
    добавить добавлен добавлено удалить удаление удален удалено удалены сохранить сохранено
    сохранения продолжить редактирование поиск найти искать фильтр фильтры фильтрам выбрать выберите
    выбран выбранные выбранных выбрано показать показаны показано скрыть очистить всего
    пароль пароля пароли выйти войти вход выход забыли добро пожаловать документация
    администрирование администрирования приложение приложения пользователь пользователя
    пользователи пользователей группы права разрешения история истории
    сегодня вчера завтра сейчас дата время полночь полдень утро календарь часы отмена отменить
    я уверен уверены подтвердить ничего пусто неизвестно ошибка ошибки ошибку исправьте ниже
    пожалуйста обязательное поле поля введите значение значения правильный правильное корректное
    результаты результат результатов голос голоса голосов голосования голосование
    выборы выборов избирательный избирательная избирательной избирательные избирательных
    участок участка участки участков участковая участковой центральная территориальная
    территориальной областная районная область области район района районы город города
    сельский сельского сельская округа акимат акима
    комиссии комиссий комиссией протоколы протоколов протокола кандидаты кандидатов кандидата
    партии партий выдвижение выдвинут выдвинута зарегистрирован зарегистрирована регистрация
    отказ отказано снят снята причина основание решение решения
    ввод ввода завершить черновик черновика проверка проверки контроли
    расхождение расхождения расхождений подтвердить утвердить утвержден утверждено вернуть
    печать печати распечатать подпись подписи председатель секретарь член члены
    всего итого явка избирателей избиратели бюллетеней бюллетени число количество
    январь января февраль февраля март марта апрель апреля мая июнь июня июль июля
    август августа сентябрь сентября октябрь октября ноябрь ноября декабрь декабря
    понедельник вторник среда четверг пятница суббота воскресенье
    страница страницы следующая предыдущая первая последняя назад далее
    описание параметры ответ ответы запрос запросы тело обязательный
"""
RUSSIAN_ONLY_WORDS = frozenset(_RUSSIAN_ONLY.split())

# Attributes a browser shows (title as a tooltip, placeholder, alt) or reads aloud (aria-label).
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
BUTTON_INPUTS = ("submit", "button", "reset")
HIDDEN_ELEMENTS = ("script", "style", "template")
VOID_ELEMENTS = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr")
)
CONTEXT = 40


@dataclass(frozen=True)
class Leak:
    """One piece of text with words of another language: the words, and the text with them in brackets."""

    words: tuple
    context: str

    def __str__(self):
        return f"{', '.join(self.words)}: {self.context}"


def offends(word, language):
    """Whether one word is of another language than the page's."""
    if language == "en":
        return bool(CYRILLIC.search(word))
    if language == "ru":
        return any(letter in KAZAKH_ONLY_LETTERS for letter in word)
    if language == "kk":
        return word.lower() in RUSSIAN_ONLY_WORDS
    raise ValueError(f"no rule for language {language!r}")


class _VisibleText(HTMLParser):
    """The pieces of text a user sees, each with the language its element declares (or None)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces = []
        self._stack = []  # (tag, declared language)
        self._hidden = 0

    def _language(self):
        for _tag, language in reversed(self._stack):
            if language:
                return language
        return None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        declared = (attributes.get("lang") or "").split("-")[0].lower() or None
        if tag == "html":  # the page's own language is the expected one, not an exception
            declared = None
        language = declared or self._language()
        if not self._hidden:
            shown = [attributes.get(name) for name in SHOWN_ATTRIBUTES]
            if tag == "input" and (attributes.get("type") or "").lower() in BUTTON_INPUTS:
                shown.append(attributes.get("value"))
            if tag == "option":
                shown.append(attributes.get("label"))
            self.pieces.extend((text, language) for text in shown if text)
        if tag in VOID_ELEMENTS:
            return
        self._stack.append((tag, declared))
        if tag in HIDDEN_ELEMENTS:
            self._hidden += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if not any(open_tag == tag for open_tag, _language in self._stack):
            return  # a stray end tag
        while self._stack:
            open_tag, _language = self._stack.pop()
            if open_tag in HIDDEN_ELEMENTS:
                self._hidden -= 1
            if open_tag == tag:
                return

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.pieces.append((data, self._language()))


def visible_text(html):
    """The text pieces of a page a user sees, with the language their element declares."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.pieces


class Names:
    """Names of people and places and other text typed by users, excused on every page.

    Indexed by their words (lower case), so that a suspect word is looked up only in the names that
    contain it."""

    def __init__(self, names=()):
        self._by_word = {}
        for name in {" ".join(name.split()) for name in names if name and name.strip()}:
            for word in {w.lower() for w in WORD.findall(name)}:
                self._by_word.setdefault(word, []).append(name.lower())

    def covers(self, text, start, end):
        """Whether text[start:end] (one word) lies inside one of the names written in text."""
        lowered = text.lower()
        for name in self._by_word.get(lowered[start:end], ()):
            # A name containing the word starts at most len(name) before it.
            window_start = max(0, end - len(name))
            found = lowered.find(name, window_start, start + len(name))
            while found != -1 and found <= start:
                if found + len(name) >= end:
                    return True
                found = lowered.find(name, found + 1, start + len(name))
        return False


def _context(text, spans):
    """The text with the words at `spans` in brackets, cut to CONTEXT characters around them."""
    marked, last = [], 0
    for start, end in spans:
        marked.append(f"{text[last:start]}[{text[start:end]}]")
        last = end
    marked.append(text[last:])
    marked = "".join(marked)
    first, final = marked.index("["), marked.rindex("]") + 1
    cut_start, cut_end = max(0, first - CONTEXT), min(len(marked), final + CONTEXT)
    if final - first > 4 * CONTEXT:  # a long text: its start and its end
        cut_end = min(len(marked), first + 4 * CONTEXT)
    head = "…" if cut_start else ""
    tail = "…" if cut_end < len(marked) else ""
    return f"{head}{marked[cut_start:cut_end]}{tail}"


def leaks_in_text(text, language, names=None):
    """The leak of `text` (plain, visible) if it has words not of `language` outside names, else None."""
    names = names or Names()
    text = " ".join(text.split())
    spans = [
        match.span()
        for match in WORD.finditer(text)
        if offends(match.group(), language) and not names.covers(text, *match.span())
    ]
    if not spans:
        return None
    return Leak(tuple(text[start:end] for start, end in spans), _context(text, spans))


def leaks(html, language, names=None):
    """The words of a rendered page a user sees that are not of `language` (see the module's docstring)."""
    found = []
    for text, declared in visible_text(html):
        if declared and declared != language:
            continue
        leak = leaks_in_text(text, language, names)
        if leak is not None and leak not in found:
            found.append(leak)
    return found


def schema_text(schema):
    """The texts of an OpenAPI document that its docs pages show: titles, summaries, descriptions."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("title", "summary", "description") and isinstance(value, str):
                yield value
            else:
                yield from schema_text(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from schema_text(value)


def names_from_database(language, every_language=False):
    """The names a page in `language` may show as they are: of people (one spelling each), of places
    and parties and elections as `.name` shows them in that language (their own, or the fallback
    when they have none), and the text users type into single-language fields: commissions' names,
    stations' addresses, occupations, who checked a qualification. A unit's name in another language
    is not excused: a Russian unit name on a Kazakh page is a leak. With `every_language`, names of
    units, elections and parties in all three languages: for the pages of those objects themselves,
    which show each of their names in its own field."""
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from core.names import in_active_language
    from registry.models import Election, Party, Person
    from territory.models import AdminUnit, AdminUnitVersion, Commission, PollingStation

    names = []
    with translation.override(language):
        for model in (AdminUnit, AdminUnitVersion, Election, Party):
            rows = model.objects.values_list("name_kk", "name_ru", "name_en")
            names.extend(name for row in rows for name in (row if every_language else [in_active_language(*row)]))
    names.extend(Party.objects.values_list("short_name", flat=True))
    typed = ("surname", "given_name", "patronymic", "occupation", "qualification_checked_by")
    for fields in Person.objects.values_list(*typed):
        names.extend(fields)
    names.extend(Commission.objects.values_list("name", flat=True))
    names.extend(PollingStation.objects.values_list("address", flat=True))
    for first, last in get_user_model().objects.values_list("first_name", "last_name"):
        names.extend((first, last))
    return Names(names)
