"""The chat page: the conversation, each answer with its evidence, the transcript view.

Rendering only: answers come from `Bot.ask`, evidence from `bot.evidence`, briefings from
`bot.export`, HTML from `bot.ui.markup` (which escapes everything from a transcript, a model or the
user). Errors the user can act on (`USER_ERRORS`) are shown as one line.
"""

from __future__ import annotations

import streamlit as st

from bot.ui import state
from bot import labels
from bot.errors import USER_ERRORS
from bot.evidence import Exchange, gather, history_of, transcript_segments
from bot.export import briefing_markdown, file_stem, markdown_escape
from bot.ui.copy import copy_button
from bot.ui.interviews import example_questions
from bot.ui.markup import (SCROLL_TO_FOCUS, answer_html, card_html, related_html, transcript_html,
                         user_html)

PENDING = "pending-question"  # an example question the user clicked, asked on the next run


@st.dialog("Transcript", width="large")
def transcript_dialog(bot, source: str, start: int, end: int, label: str, sha256: str | None = None,
                      opener: str | None = None) -> None:
    """The whole transcript, questions and answers marked, `[start, end)` highlighted and scrolled to;
    `opener` is the key of the button that opened it, which gets the focus back when it closes."""
    try:
        text = bot.store.source_text(source)
        info = next((s for s in bot.store.sources() if s.source == source), None)
        passages = bot.store.corpus().of_source(source)
    except USER_ERRORS as exc:
        st.error(markdown_escape(str(exc)))
        return
    title = info.title if info else source
    when = f" · {info.date}" if info and info.date else ""
    st.markdown(f"**{markdown_escape(title)}**{markdown_escape(when)}")
    st.caption(markdown_escape(f"Highlighted: {label}, characters {start}–{end}. "
                               f"Blue blocks are the interviewer's questions, green ones the answers. {source}"))
    if sha256 and info and info.sha256 != sha256:
        st.warning("This transcript has changed since the answer was given: the highlight may not match the quote.")
    # the view is its own scroll box: focusable, so that the keyboard scrolls it
    st.html(transcript_html(transcript_segments(text, passages), (start, end), title, opener))
    st.html(SCROLL_TO_FOCUS, unsafe_allow_javascript=True)


def _badges(answer, titles: dict[str, str]) -> None:
    """How the answer was made and what it is, then which interviews it searched (`titles` by source)."""
    with st.container(horizontal=True, gap="small"):
        if answer.mode == "llm":
            st.badge(markdown_escape(f"Model · {answer.model}"), icon=":material/smart_toy:", color="violet")
        else:
            st.badge("Offline · extractive", icon=":material/format_quote:", color="gray")
        n = len(answer.citations)
        if answer.abstained:
            where = "the interviews searched" if len(answer.searched) > 1 else "the interview"
            st.badge(f"Not addressed in {where}", icon=":material/block:", color="orange")
        elif answer.label == labels.LIKELY:
            st.badge(f"Likely answer · {n} verbatim", icon=":material/check_circle:", color="blue")
        elif answer.outcome == "candidates":
            st.badge(f"Closest passages, not a confirmed answer · {n} verbatim", icon=":material/travel_explore:",
                     color="orange")
        else:
            st.badge(f"Answer · {n} verbatim citation{'s' * (n != 1)}", icon=":material/verified:", color="green")
    if said := labels.explain(answer.label, answer.stated_rate):
        st.caption(markdown_escape(said))
    if answer.searched:
        st.caption(markdown_escape(searched_line(answer.searched, titles)))


def searched_line(searched, titles: dict[str, str], named: int = 3) -> str:
    """Which interviews an answer searched, by title (a removed one by its file name).

    >>> searched_line(["a.txt"], {"a.txt": "Water"})
    'Searched: Water'
    >>> searched_line(["a.txt", "b.txt"], {"a.txt": "Water", "b.txt": "Bees"})
    'Searched: Water, Bees'
    >>> searched_line([f"{i}.txt" for i in range(12)], {f"{i}.txt": str(i) for i in range(12)})
    'Searched all 12 interviews'
    >>> searched_line([f"{i}.txt" for i in range(5)], {f"{i}.txt": str(i) for i in range(12)})
    'Searched 5 of 12 interviews: 0, 1, 2 and 2 more'
    """
    names = [titles.get(s, s) for s in searched]
    if len(names) <= named:
        return "Searched: " + ", ".join(names)
    if len(names) >= len(titles):
        return f"Searched all {len(names)} interviews"
    return f"Searched {len(names)} of {len(titles)} interviews: {', '.join(names[:named])} and {len(names) - named} more"


def _titles(bot) -> dict[str, str]:
    """Each interview's current title, by source (none when the store cannot be read)."""
    try:
        return {info.source: info.title for info in bot.store.sources()}
    except USER_ERRORS:
        return {}


def render_answer(i: int, ex: Exchange, bot) -> None:
    """One answer: badges, notice, text with [n] links, citation cards or related passages, briefing."""
    a, anchor = ex.answer, f"vb-{i}"
    _badges(a, _titles(bot))
    if a.notice:
        st.warning(markdown_escape(a.notice), icon=":material/cloud_off:")
    st.html(answer_html(a.text, anchor, low_confidence=a.outcome == "candidates"))
    if a.abstained and a.related:
        st.caption("The closest passages, offered as related reading, not as citations:")
        for j, r in enumerate(a.related):
            st.html(related_html(r.speaker, r.text))
            if st.button("Show in transcript", key=f"rel-{i}-{j}", icon=":material/article:", type="tertiary"):
                transcript_dialog(bot, r.source, r.start, r.end, "related passage", opener=f"rel-{i}-{j}")
    for ev in ex.evidence:
        c = ev.citation
        with st.container(border=True):
            st.html(card_html(ev, anchor))
            if st.button("Show in transcript", key=f"show-{i}-{c.n}", icon=":material/article:",
                         help=f"Open the whole transcript at citation [{c.n}]"):
                transcript_dialog(bot, c.source, c.start, c.end, f"citation [{c.n}]", ev.sha256, f"show-{i}-{c.n}")
    markdown = briefing_markdown([ex], title="Answer from Verbatim")
    with st.container(horizontal=True, gap="small"):
        copy_button(ex)  # rich text and plain text in one click, reachable by keyboard
        st.download_button("Download .md", markdown, file_name=f"{file_stem([ex])}.md", mime="text/markdown",
                           key=f"dl-{i}", on_click="ignore", icon=":material/download:")
        with st.popover("How it was found", icon=":material/search:", key=f"how-{i}"):
            st.html(f"<div><b>Searched for:</b> {user_html(a.standalone_question)}</div>")
            ms = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in a.timings.items())
            by = f"by the model {a.model}" if a.mode == "llm" else "offline, from the transcript's own sentences"
            st.caption(markdown_escape(f"Answered {by}; {ms}."))
            for note in a.dropped:
                st.caption(markdown_escape(f"Not cited: {note}"))


def render_exchange(i: int, ex: Exchange, bot) -> None:
    with st.chat_message("user"):
        st.html(user_html(ex.answer.question))
    with st.chat_message("assistant"):
        render_answer(i, ex, bot)


def _pick(question: str) -> None:
    st.session_state[PENDING] = question


def welcome(bot, has_interviews: bool) -> None:
    """The first-run state: what this is, and three questions to try (a click asks one)."""
    with st.container():  # one block, so that the first question's messages replace it at once
        _welcome(bot, has_interviews)


def _welcome(bot, has_interviews: bool) -> None:
    st.markdown("#### Ask the interview, get the speaker's own words")
    st.caption("Every answer quotes the transcript verbatim, with a numbered citation you can open in the "
               "transcript. When the interview does not address a question, Verbatim says so.")
    if not has_interviews:
        st.info("No interview yet: add a transcript in the sidebar (“Add a transcript”) to begin.")
        return
    try:
        examples = example_questions(bot.store.sources(), bot.store.corpus().questions())
    except USER_ERRORS:
        examples = []
    if examples:
        st.caption("Try one of these:")
    for k, question in enumerate(examples):
        st.button(markdown_escape(question), key=f"example-{k}", icon=":material/chat_bubble:", on_click=_pick,
                  args=(question,))


def ask(bot, question: str) -> None:
    """Ask `question` in the context of the conversation; stream the model's words while it writes."""
    choices = state.choices()
    if choices.nothing_chosen:
        st.error("Choose at least one interview to search in the sidebar's settings.")
        return
    chosen = state.answering_bot(bot)
    conversation = state.exchanges()
    with st.chat_message("user"):
        st.html(user_html(question))
    with st.chat_message("assistant"):
        placeholder, streamed = st.empty(), []

        def on_token(piece: str) -> None:
            streamed.append(piece)
            placeholder.html(user_html("".join(streamed) + " ▌"))

        try:
            with st.spinner("Finding the passages and checking every quote…"):
                answer = chosen.ask(question, history_of(conversation), sources=list(choices.sources or []) or None,
                                    max_citations=choices.max_citations,
                                    on_token=on_token if chosen.chat_model is not None else None)
                exchange = Exchange(answer, gather(answer, chosen.store))
        except USER_ERRORS as exc:
            placeholder.empty()
            st.error(markdown_escape(str(exc)))
            return
        placeholder.empty()  # the streamed draft gives way to the checked answer
        conversation.append(exchange)
        render_answer(len(conversation) - 1, exchange, bot)


def placeholder(interviews: int, chosen: tuple[str, ...] | None) -> str:
    """The chat box's prompt: "the interview" with one to search, "the 3 interviews" with several.

    >>> placeholder(1, None), placeholder(3, None), placeholder(3, ("a.txt",))
    ('Ask about the interview…', 'Ask about the 3 interviews…', 'Ask about the interview…')
    """
    n = len(chosen) if chosen else interviews
    return "Ask about the interview…" if n <= 1 else f"Ask about the {n} interviews…"


def page() -> None:
    bot = state.current_bot()
    try:
        interviews = len(bot.store.sources())
    except USER_ERRORS:
        interviews = 0
    has_interviews = interviews > 0
    # a fixed key: without one the box's identity follows its placeholder, so a question typed while
    # another process added an interview ("the 2 interviews…") was dropped on the next run
    question = (st.chat_input(placeholder(interviews, state.choices().sources), disabled=not has_interviews,
                              key="chat-question")
                or st.session_state.pop(PENDING, None))
    conversation = state.exchanges()
    if not conversation and not question:
        welcome(bot, has_interviews)
    for i, ex in enumerate(conversation):
        render_exchange(i, ex, bot)
    if question:
        ask(bot, question)
