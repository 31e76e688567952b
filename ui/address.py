"""The app's address as the visitor's browser sees it, for links that open a view or a class room."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st


def page_link(params: dict[str, str]) -> str:
    """The app's address with `params` as its whole query (whatever query the page has now is dropped); relative when
    there is no browser (AppTest)."""
    query = urlencode(params, safe=",")
    if not st.context.url:
        return f"?{query}"
    scheme, host, path, _, _ = urlsplit(st.context.url)
    return urlunsplit((scheme, host, path.rstrip("/") + "/", query, ""))
