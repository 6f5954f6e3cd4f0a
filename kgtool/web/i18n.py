"""Every interface string in Chinese and English, in one place, and the choice between them.

The language comes from ``?lang=`` (remembered in a cookie), else the cookie, else the
browser's Accept-Language, else Chinese. Data labels prefer the chosen language when the
graph has one (`pick`).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import g, request

LANGS = ("zh", "en")
COOKIE = "kgtool_lang"

#: key -> (zh, en)
STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("安全生产责任知识图谱", "Work-safety accountability graph"),
    "nav_home": ("首页", "Home"),
    "nav_search": ("搜索", "Search"),
    "nav_queries": ("查询库", "Saved queries"),
    "nav_editor": ("SPARQL 编辑器", "SPARQL editor"),
    "nav_gaps": ("缺口报告", "Gap report"),
    "nav_compare": ("比较", "Compare"),
    "nav_ontology": ("本体", "Ontology"),
    "ontology_doc": ("本体文档中的说明", "In the ontology's documentation"),
    "switch_lang": ("English", "中文"),
    "documents": ("文件", "Documents"),
    "document": ("文件", "Document"),
    "title": ("标题", "Title"),
    "number": ("文号", "Number"),
    "issued": ("成文日期", "Issued"),
    "issuer": ("制发机关", "Issuer"),
    "jurisdiction": ("辖区", "Jurisdiction"),
    "jurisdictions": ("辖区", "Jurisdictions"),
    "province": ("省级", "Province"),
    "level": ("层级", "Level"),
    "provisions": ("条款", "Provisions"),
    "bodies": ("机构", "Bodies"),
    "posts": ("岗位", "Posts"),
    "duties": ("职责", "Duties"),
    "frequencies": ("频次要求", "Frequencies"),
    "principles": ("原则", "Principles"),
    "sanctions": ("追责方式", "Sanctions"),
    "rewards": ("奖励", "Rewards"),
    "mitigations": ("从轻减免", "Mitigations"),
    "persons": ("人员", "Persons"),
    "legal_basis": ("依据", "Legal basis"),
    "home_intro": (
        "从公开文件中读出的安全生产“党政同责、一岗双责”：谁负责什么、多久一次、依据哪条原文。",
        "Work-safety accountability read from published documents: who must do what, how often, and the passage each statement comes from.",
    ),
    "explore": ("浏览", "Explore"),
    "home_search_hint": ("按名称或职责文字搜索（如：季度、演练、第一责任人）", "Search names and duty texts (e.g. 季度, 演练, 第一责任人)"),
    "search": ("搜索", "Search"),
    "search_results": ("搜索结果", "Search results"),
    "no_results": ("没有结果。", "No results."),
    "results_count": ("条结果", "results"),
    "filters": ("筛选", "Filters"),
    "remove_filter": ("移除筛选", "remove filter"),
    "role": ("角色", "Role"),
    "duty_type": ("职责类型", "Duty type"),
    "kind": ("类型", "Kind"),
    "types": ("类型", "Types"),
    "properties": ("属性", "Properties"),
    "incoming": ("被引用", "Incoming links"),
    "property": ("属性", "Property"),
    "value": ("值", "Value"),
    "subject": ("主体", "Subject"),
    "source_passage": ("原文出处", "Source passage"),
    "source_of": ("来自条款", "from provision"),
    "open_document": ("在文件中查看", "see in the document"),
    "formats": ("其他格式", "Other formats"),
    "more_incoming": ("仅显示前 {n} 条", "only the first {n} are shown"),
    "held_duties": ("职责", "Duties"),
    "holders": ("承担者", "Held by"),
    "frequency": ("频次", "Frequency"),
    "times_per_year": ("次/年", "times a year"),
    "extracted": ("提取结果", "Extracted"),
    "full_text": ("规范化全文与条款", "Normalised text and its provisions"),
    "org_chart": ("组织结构图", "Organisation chart"),
    "org_chart_hint": (
        "机构 → 岗位 → 职责；指向职责可看其文字，点击节点打开其页面，滚轮缩放。",
        "Bodies → posts → duties; point at a duty to read it, click a node to open its page, scroll to zoom.",
    ),
    "org_chart_json": ("图数据 (JSON)", "chart data (JSON)"),
    "legend_body": ("机构", "body"),
    "legend_post": ("岗位", "post"),
    "legend_duty": ("职责", "duty"),
    "queries_intro": (
        "保存的 SPARQL 查询：每个回答一个问题，可带参数运行并下载结果。",
        "Saved SPARQL queries: each answers one question; run them with parameters and download the results.",
    ),
    "query_name": ("名称", "Name"),
    "parameters": ("参数", "Parameters"),
    "tags": ("标签", "Tags"),
    "run": ("运行", "Run"),
    "optional": ("可选", "optional"),
    "required": ("必填", "required"),
    "default": ("默认", "default"),
    "download": ("下载", "Download"),
    "show_sparql": ("查看 SPARQL", "Show the SPARQL"),
    "open_in_editor": ("在编辑器中打开", "Open in the editor"),
    "rows": ("行", "rows"),
    "showing_rows": ("此处显示第 {first}–{last} 行；下载可得全部", "showing rows {first}–{last}; the downloads hold all of them"),
    "previous_page": ("上一页", "Previous page"),
    "next_page": ("下一页", "Next page"),
    "truncated": ("结果已在行数上限 {n} 处截断。", "The result was cut at the row limit of {n} rows."),
    "ask_yes": ("是", "yes"),
    "ask_no": ("否", "no"),
    "no_params": ("无参数", "no parameters"),
    "query_error": ("无法运行查询", "The query cannot be run"),
    "editor_intro": (
        "在此编写只读 SPARQL 查询；常用前缀已预先声明。结果来自本站的 /sparql 端点。",
        "Write read-only SPARQL here; the usual prefixes are declared. Results come from this site's /sparql endpoint.",
    ),
    "endpoint": ("端点", "Endpoint"),
    "sparql_form_hint": ("SPARQL 1.1 协议端点（只读）。", "A read-only SPARQL 1.1 Protocol endpoint."),
    "service_description": ("服务描述", "Service description"),
    "service_intro": (
        "不带查询访问 /sparql 的客户端会得到这份 W3C SPARQL 1.1 服务描述：",
        "A client that GETs /sparql without a query receives this W3C SPARQL 1.1 Service Description:",
    ),
    "service_language": ("查询语言", "Query language"),
    "service_language_value": (
        "SPARQL 1.1 查询（只读：不接受更新、LOAD、SERVICE）",
        "SPARQL 1.1 Query (read-only: no update, LOAD or SERVICE)",
    ),
    "service_result_formats": ("SELECT / ASK 结果格式", "SELECT / ASK result formats"),
    "service_graph_formats": ("CONSTRUCT / DESCRIBE 结果格式", "CONSTRUCT / DESCRIBE result formats"),
    "service_limits": ("限制", "Limits"),
    "service_timeout": ("查询时限 {n} 秒", "{n} s per query"),
    "service_rows": ("最多 {n} 行（超出则截断并注明）", "at most {n} rows (cut beyond, and said so)"),
    "service_body": ("请求体最大 {n} 字节", "request bodies up to {n} bytes"),
    "service_dataset": ("默认数据集", "Default dataset"),
    "service_default_graph": ("默认图为全部命名图的并集。", "The default graph is the union of all named graphs."),
    "service_default_graph_n": (
        "默认图为全部命名图的并集，共 {n} 个三元组。",
        "The default graph is the union of all named graphs: {n} triples.",
    ),
    "service_triples": ("{n} 个三元组", "{n} triples"),
    "gaps_intro": (
        "SHACL 形状发现的问题：结构错误（Violation）与责任缺口（Warning），每条指向其原文。",
        "What the SHACL shapes found: structural errors (Violation) and accountability gaps (Warning), each with its source passage.",
    ),
    "severity": ("严重程度", "Severity"),
    "all": ("全部", "all"),
    "findings": ("发现", "Findings"),
    "focus": ("对象", "Focus"),
    "shape": ("形状", "Shape"),
    "message": ("说明", "Message"),
    "path": ("路径", "Path"),
    "conforms": ("数据符合全部形状。", "The data conforms to every shape."),
    "seconds": ("验证用时 {s} 秒", "validated in {s} s"),
    "not_available": ("暂不可用", "Not available yet"),
    "not_available_body": (
        "此功能所需的模块尚未就绪（{module}）。其他页面不受影响。",
        "The module this page needs is not ready yet ({module}). Every other page works.",
    ),
    "compare_intro": (
        "选择要比较的辖区，查看职责矩阵、频次表、原则与追责矩阵、结构指标和相似度。",
        "Choose jurisdictions to compare: duty matrices, frequencies, principles and sanctions, structure measures and similarity.",
    ),
    "choose_jurisdictions": ("选择辖区", "Choose jurisdictions"),
    "compare_button": ("比较", "Compare"),
    "charts": ("图表", "Charts"),
    "error": ("错误", "Error"),
    "hint": ("提示", "Hint"),
    "where": ("位置", "Where"),
    "not_found": ("未找到", "Not found"),
    "not_found_body": ("图中没有这个资源或页面。", "Nothing in the graph or on this site has this address."),
    "bad_request": ("请求有误", "Bad request"),
    "too_large": ("请求过大", "Request too large"),
    "too_large_body": ("请求体超过了 {n} 字节的上限。", "The request body is larger than the limit of {n} bytes."),
    "method_not_allowed": ("不允许的方法", "Method not allowed"),
    "server_error": ("服务器错误", "Server error"),
    "server_error_body": ("出现了意外错误；已记录。", "Something unexpected went wrong; it has been logged."),
    "unavailable": ("服务暂不可用", "Service unavailable"),
    "labels": ("名称", "Labels"),
    "none": ("无", "none"),
    "count": ("数量", "Count"),
    "back_to_top": ("回到顶部", "back to top"),
    "derived_from": ("出处条款", "Derived from"),
    "in_context": ("上下文", "in context"),
    "resource": ("资源", "Resource"),
    "dataset": ("数据集", "Dataset"),
    "nav_dataset": ("数据集说明", "About the dataset"),
    "licence": ("许可", "Licence"),
    "publisher": ("发布者", "Publisher"),
    "modified": ("更新日期", "Modified"),
    "triples": ("三元组", "Triples"),
    "uri_space": ("IRI 空间", "IRI space"),
    "vocabularies": ("所用词表", "Vocabularies used"),
    "dataset_rdf": ("机器可读的描述（W3C VoID 与 DCAT）", "Machine-readable description (W3C VoID and DCAT)"),
    "subsets": ("子集（每个命名图一个）", "Subsets (one per named graph)"),
    "named_graph": ("命名图", "Named graph"),
    "total": ("合计", "Total"),
    "dumps": ("数据下载", "Dumps"),
    "dumps_intro": (
        "整个图的压缩文件：N-Quads 保留各命名图，Turtle 为各图的并集。下载后可用 SHA-256 校验。",
        "The whole graph as compressed files: N-Quads keeps the named graphs, Turtle holds their union. "
        "Check a download against its SHA-256.",
    ),
    "dumps_all": ("全部下载", "All dumps"),
    "dumps_check": ("校验下载的文件：", "To check a downloaded file:"),
    "file": ("文件", "File"),
    "format": ("格式", "Format"),
    "statements": ("陈述数", "Statements"),
    "size": ("大小", "Size"),
    "bytes": ("字节", "bytes"),
    "dump_nq": ("N-Quads（保留命名图）", "N-Quads (named graphs kept)"),
    "dump_ttl": ("Turtle（各图并集）", "Turtle (union of the graphs)"),
    "dump_jsonld": ("JSON-LD（各图并集）", "JSON-LD (union of the graphs)"),
    "footer": (
        "数据与工具：kgtool。每条陈述都可追溯到原文段落。",
        "Data and tools: kgtool. Every statement points back to its source passage.",
    ),
    # the review forms (kgtool serve --review, kgtool/web/review.py) and corrections shown elsewhere
    "rests_on_correction": ("依据经分析人员更正", "Rests on an analyst's correction"),
    "review": ("审阅与更正", "Review and correct"),
    "review_counts": ("{n} 条更正生效，{s} 条不再适用", "{n} corrections in force, {s} no longer apply"),
    "review_intro": (
        "阅读器逐条读出的内容；每项旁的表单写入 data/corrections/（同 kgtool correct），并随即重建本文件的图谱。须填写理由。",
        "What the reader read, provision by provision; each form beside a statement writes data/corrections/ "
        "(as kgtool correct does) and rebuilds this document's graph at once. A reason is required.",
    ),
    "review_by": ("更正人", "Analyst"),
    "review_by_hint": ("姓名", "your name"),
    "review_why": ("理由（引用原文）", "why (quote the text)"),
    "review_done": ("已写入更正", "Correction written"),
    "review_added": ("更正所增", "added by a correction"),
    "review_taken": ("更正所撤", "taken away by a correction"),
    "review_corrections": ("本文件的更正", "This document's corrections"),
    "review_withdraw": ("撤回", "Withdraw"),
    "review_unresolved": ("未能解析", "Not resolved"),
    "review_in_text": ("原文", "in the text"),
    "review_holder_read": ("读出的责任主体", "Holder read"),
    "review_level_read": ("读出的责任层级", "Level read"),
    "review_holders": ("责任主体", "Holders"),
    "review_holder": ("责任主体", "Holder"),
    "review_no_holder": ("无", "none"),
    "review_types": ("职责类型", "Types"),
    "review_not_placed": ("未作为职责", "Not placed"),
    "review_into": ("并入", "into"),
    "review_to": ("移至", "to"),
    "review_label": ("岗位名称（照录原文）", "the post's name, as written"),
    "review_same_role": ("角色同原岗位", "the same role"),
    "review_wording": ("原文措辞", "wording from the text"),
    "review_passage": ("所依据的原文", "the passage it rests on"),
    "review_add": ("补充遗漏……", "Add what was missed…"),
    "review_do_merge": ("合并", "Merge"),
    "review_do_split": ("拆分岗位", "Split"),
    "review_do_move": ("移动职责", "Move"),
    "review_do_type": ("改职责类型", "Set types"),
    "review_do_reject": ("否定", "Reject"),
    "review_do_add": ("补充", "Add"),
    "review_who": (
        "谁作的更正？请填写更正人，或以 --analyst 启动服务",
        "Who is correcting? Fill in the analyst, or start the server with --analyst",
    ),
    "review_forbidden": (
        "此服务器不接受更正（未开启审阅，或未以令牌打开）。",
        "This server takes no corrections (review is off, or the site was not opened with the token).",
    ),
    "review_bad_csrf": (
        "表单令牌不符：请从本站的文件页面提交更正。",
        "The form's token does not match: send corrections from this site's document pages.",
    ),
    "review_bad_token": ("令牌不符。", "Wrong token."),
}


def current() -> str:
    """The language of this request (cached on flask.g)."""
    lang = getattr(g, "lang", None)
    if lang is None:
        asked = request.args.get("lang")
        if asked in LANGS:
            lang = asked
        elif request.cookies.get(COOKIE) in LANGS:
            lang = request.cookies[COOKIE]
        else:
            lang = request.accept_languages.best_match(LANGS) or "zh"
        g.lang = lang
    return lang


def t(key: str, **values: object) -> str:
    """An interface string in the current language, with ``{name}`` fields filled.

    Unknown keys come back as the key itself, so a missing string shows but never breaks a page.
    """
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[LANGS.index(current())]
    return text.format(**values) if values else text


def pick(labels: Mapping[str, str] | None, lang: str | None = None) -> str | None:
    """The label in ``lang`` if there is one, else Chinese, else any, else None.

    >>> pick({"zh": "无锡市", "en": "Wuxi"}, "en")
    'Wuxi'
    >>> pick({"zh": "无锡市"}, "en")
    '无锡市'
    >>> pick({}, "en") is None
    True
    """
    if not labels:
        return None
    lang = lang or current()
    for key in (lang, "zh", "en", ""):
        if labels.get(key):
            return labels[key]
    return next(iter(labels.values()))
