"""A document's review as text (for the terminal), JSON (for programs) and HTML (a page to read).

Every mark is said in words as well as shown: "+" for what an analyst's correction put there,
"−" for what one took away; the HTML escapes everything it shows.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict

from kgtool.review.reading import DutyView, Named, ProvisionView, Review

FORMATS = ("text", "json", "html")


def render_review(r: Review, fmt: str, *, provision: str | None = None) -> str:
    """The review in ``fmt`` (text, json, html), of one provision (and those under it) if given."""
    shown = [p for p in r.provisions if provision is None or p.id == provision or p.id.startswith(f"{provision}.")]
    if fmt == "json":
        data = asdict(r)
        data["provisions"] = [asdict(p) for p in shown]
        data["in_force"], data["stale"] = r.in_force, r.stale
        return json.dumps(data, ensure_ascii=False, indent=1)
    if fmt == "html":
        return _html(r, shown)
    return _text(r, shown)


def mark(n: Named) -> str:
    return "+" if n.corrected else "−" if n.retracted else ""


def _named(n: Named) -> str:
    return f"{mark(n)}{n.label} ({n.ref})"


# --- text ------------------------------------------------------------------------------------------


def _text(r: Review, shown: list[ProvisionView]) -> str:
    lines = [
        f"{r.slug}  {r.title}",
        f"source: {r.source}",
        f"corrections: {r.in_force} in force, {r.stale} no longer apply   (+ added by a correction, − taken away by one)",
    ]
    for p in shown:
        if not p.says_anything():
            continue
        lines.append("")
        lines.append(f"[{p.id}] {p.marker}{p.heading}  {p.fingerprint}".rstrip())
        if p.holders:
            lines.append(f"  holder read: {'、'.join(p.holders)}  ({p.why})")
        for holder, level in p.levels:
            lines.append(f"  level read: {holder} → {level}")
        for post in p.posts:
            lines.append(
                f"  post {'+' if post.corrected else ''}{post.label} ({post.ref}): {', '.join(post.roles)}"
                + (f"; in {', '.join(_named(b) for b in post.bodies)}" if post.bodies else "")
                + (f"; levels {', '.join(mark(lv) + lv.ref for lv in post.levels)}" if post.levels else "")
            )
        for d in p.duties:
            lines.extend(_duty_lines(d))
        for sentence, why in p.not_placed:
            lines.append(f"  not placed ({why}): {sentence}")
        for what in p.unresolved:
            lines.append(f"  unresolved: {what}")
        for c in p.corrections:
            lines.append(f"  correction {c.id} [{c.status}] {c.summary}")
            lines.append(f"    by {c.by} {c.when} ({c.file}:{c.line}): {c.why}")
    for what in r.unresolved:
        lines.append(f"unresolved: {what}")
    return "\n".join(lines)


def _duty_lines(d: DutyView) -> list[str]:
    holders = ", ".join(_named(h) for h in d.holders) or "(no holder)"
    out = [f"  duty {'+' if d.corrected else ''}{d.ref} of {holders}: {d.text}"]
    out.append("    types: " + ", ".join(f"{mark(t)}{t.ref}" + (f" «{t.label}»" if t.label else "") for t in d.types))
    out.extend(f"    frequency {mark(f)}{f.label}" for f in d.frequencies)
    return out


# --- HTML ------------------------------------------------------------------------------------------

_STYLE = """body{font:15px/1.6 system-ui,"WenQuanYi Micro Hei",sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}
section{border-left:3px solid #1b6ca8;margin:1.2em 0;padding:.2em 0 .2em 1em}h2{font-size:1.05em;margin:.2em 0}
.text{color:#555;white-space:pre-wrap;font-size:.92em}.add{color:#146c2e;font-weight:600}.del{color:#a4262c;text-decoration:line-through}
.muted{color:#777}code{font-size:.9em;background:#f3f3f3;padding:0 .2em}li{margin:.15em 0}.stale{color:#a4262c}"""


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _span(n: Named, text: str) -> str:
    cls = (
        ' class="add" title="added by a correction"'
        if n.corrected
        else ' class="del" title="taken away by a correction"'
        if n.retracted
        else ""
    )
    return f"<span{cls}>{_h(text)}</span>"


def _html(r: Review, shown: list[ProvisionView]) -> str:
    out = [
        "<!doctype html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        f"<title>{_h(r.slug)} · review</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_h(r.title)}</h1>",
        f"<p><code>{_h(r.slug)}</code> · {_h(r.source)} · corrections: "
        f'{r.in_force} in force, {r.stale} no longer apply · <span class="add">green: added by a correction</span>, '
        f'<span class="del">struck: taken away by one</span></p>',
    ]
    for p in shown:
        if not p.says_anything():
            continue
        out.append(
            f'<section id="p-{_h(p.id)}"><h2>{_h(p.marker)}{_h(p.heading)} <code>{_h(p.id)}</code> '
            f'<span class="muted">{_h(p.fingerprint)}</span></h2>'
        )
        out.append(f'<div class="text">{_h(p.text[:400])}{"…" if len(p.text) > 400 else ""}</div><ul>')
        if p.holders:
            out.append(f'<li>holder read: {_h("、".join(p.holders))} <span class="muted">({_h(p.why)})</span></li>')
        for post_label, level in p.levels:
            out.append(f"<li>level read: {_h(post_label)} → {_h(level)}</li>")
        for post in p.posts:
            out.append(
                f"<li>post <b>{_h(post.label)}</b> <code>{_h(post.ref)}</code> {_h(', '.join(post.roles))}"
                + "".join(" · " + _span(b, b.label) for b in post.bodies)
                + "".join(" · " + _span(lv, lv.ref) for lv in post.levels)
                + "</li>"
            )
        for d in p.duties:
            holders = ", ".join(_span(h, f"{h.label} ({h.ref})") for h in d.holders) or '<span class="muted">no holder</span>'
            types = ", ".join(_span(t, t.ref + (f" «{t.label}»" if t.label else "")) for t in d.types)
            freqs = "".join(f"<br>frequency {_span(f, f.label)}" for f in d.frequencies)
            out.append(f"<li>duty <code>{_h(d.ref)}</code> of {holders}: {_h(d.text)}<br>types: {types}{freqs}</li>")
        for sentence, why in p.not_placed:
            out.append(f'<li class="muted">not placed ({_h(why)}): {_h(sentence)}</li>')
        for what in p.unresolved:
            out.append(f'<li class="stale">unresolved: {_h(what)}</li>')
        for c in p.corrections:
            cls = "" if c.status == "in force" else ' class="stale"'
            out.append(
                f"<li{cls}>correction <code>{_h(c.id)}</code> [{_h(c.status)}] {_h(c.summary)} — by {_h(c.by)} "
                f'{_h(c.when)}: {_h(c.why)} <span class="muted">({_h(c.file)}:{c.line})</span></li>'
            )
        out.append("</ul></section>")
    if r.unresolved:
        out.append("<h2>unresolved</h2><ul>" + "".join(f"<li>{_h(u)}</li>" for u in r.unresolved) + "</ul>")
    out.append("</body></html>")
    return "\n".join(out)
