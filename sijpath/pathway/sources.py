"""Ids of the sources the rules cite most: the two patient-education articles the pathway is built from."""

from __future__ import annotations

__all__ = ["ARTICLE_INJECTIONS_DONT_WORK", "ARTICLE_INJECTIONS_NOT_ENOUGH", "BOTH_ARTICLES"]

# "What Happens If SI Joint Injections Don't Work?": reconfirm with an anesthetic-only block, pivot, RFA, 6 months.
ARTICLE_INJECTIONS_DONT_WORK = "seed-injections-dont-work"
# "When SI Joint Injections Aren't Enough": fusion candidacy, shortening relief, steroid concern, recovery.
ARTICLE_INJECTIONS_NOT_ENOUGH = "seed-injections-not-enough"
# Both seed articles, where a step rests on the pathway they describe together.
BOTH_ARTICLES = (ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH)
