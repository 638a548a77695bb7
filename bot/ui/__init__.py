"""The Streamlit UI: the chat with its evidence, the sidebar, the Evaluate page and their session state.

`app.py` and `app_pages/` only wire pages to these modules; all answering goes through `bot`.
`markup` turns answers, citations and transcripts into inert HTML; `interviews` opens the store
for the app and takes uploads.
"""
