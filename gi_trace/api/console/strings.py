"""The words of the two signed-in pages (regulators' dashboard, receiving desk), zh and en.

Kept beside i18n.py's public-page table and read through the same `t` rules; the
scripts get the whole table of the page's language, so they never show a key.
"""

from __future__ import annotations

from typing import Any

from gi_trace.api import i18n

STRINGS: dict[str, dict[str, str]] = {
    # Signing in with a key that never leaves the browser.
    "signin.heading": {"zh": "用密钥登录", "en": "Sign in with your key"},
    "signin.intro": {"zh": "选择本机构的私钥文件（PEM/PKCS#8 或 JWK）。密钥只在本浏览器中使用，"
                           "不会上传；关闭标签页即忘记。",
                     "en": "Pick your organisation's private key file (PEM/PKCS#8 or JWK). The key "
                           "is used in this browser only, never uploaded, and forgotten when you "
                           "close the tab."},
    "signin.file": {"zh": "私钥文件", "en": "Private key file"},
    "signin.button": {"zh": "登录", "en": "Sign in"},
    "signin.busy": {"zh": "正在登录……", "en": "Signing in…"},
    "signin.as": {"zh": "已登录：{org}（密钥 {key}）", "en": "Signed in as {org} (key {key})"},
    "signin.out": {"zh": "退出并忘记密钥", "en": "Sign out and forget the key"},
    "signin.unsupported": {"zh": "此浏览器不支持 Ed25519 签名（需较新的浏览器和 https 或本机连接）。",
                           "en": "This browser cannot sign with Ed25519 (it needs a recent browser "
                                 "and https or a local connection)."},
    "signin.bad_file": {"zh": "无法读取此密钥文件：{error}", "en": "Cannot read this key file: {error}"},
    "signin.no_org": {"zh": "没有机构登记了此密钥（{key}）。", "en": "No organisation has this key ({key})."},
    "signin.revoked": {"zh": "此密钥已被吊销，不能再用于签名。", "en": "This key was revoked: it "
                                                             "signs nothing any more."},
    "signin.wrong_role": {"zh": "{org} 没有此页面所需的角色（{roles}）。",
                          "en": "{org} has none of the roles this page is for ({roles})."},
    "error.network": {"zh": "无法连接服务器。", "en": "Cannot reach the server."},
    "receipt": {"zh": "已签名并记入账本第 {seq} 条。", "en": "Signed and recorded as ledger entry #{seq}."},
    "signing": {"zh": "正在签名并提交……", "en": "Signing and sending…"},
    "loading": {"zh": "正在加载……", "en": "Loading…"},
    "none": {"zh": "无", "en": "None"},

    # The regulators' dashboard.
    "dash.title": {"zh": "监管看板", "en": "Oversight dashboard"},
    "dash.quota": {"zh": "生产者配额使用（按产品和年度）",
                   "en": "Producers' quota used, by product and year"},
    "dash.quota.row": {"zh": "{producer} · {product} {year}", "en": "{producer} · {product} {year}"},
    "dash.suspended": {"zh": "已暂停", "en": "suspended"},
    "dash.labels": {"zh": "标识认证量与可认证量", "en": "Labelled against possible"},
    "dash.labels.note": {"zh": "已标识：有效标识所认证的量（每枚标识的包装规格 × 枚数，按分装、合并、加工的"
                                "实际比例追溯到收获）；可认证：收获的产量，即标识最多可认证的量。超过 100% "
                                "即为超量标识。",
                         "en": "Labelled: what live labels certify (each label's pack × their count, "
                               "charged back to the harvest at the actual ratios of splits, merges and "
                               "processing). Possible: what the harvest yielded, the most its labels may "
                               "certify. Over 100 % is over-labelled."},
    "dash.labels.by_producer": {"zh": "按生产者", "en": "By producer"},
    "dash.labels.by_harvest": {"zh": "按收获批次", "en": "By harvest"},
    "dash.labels.by_batch": {"zh": "按贴标批次（标识数量）", "en": "By labelled batch (labels issued)"},
    "dash.labels.over": {"zh": "超量标识", "en": "over-labelled"},
    "dash.labels.near": {"zh": "接近上限", "en": "near the limit"},
    "dash.col.batch": {"zh": "批次", "en": "Batch"},
    "dash.col.harvest": {"zh": "收获批次", "en": "Harvest"},
    "dash.col.harvested": {"zh": "收获日期", "en": "Harvested"},
    "dash.col.product": {"zh": "产品", "en": "Product"},
    "dash.col.producer": {"zh": "生产者", "en": "Producer"},
    "dash.col.harvests": {"zh": "收获批次数", "en": "Harvests"},
    "dash.col.labelled": {"zh": "已标识", "en": "Labelled"},
    "dash.col.possible": {"zh": "可认证", "en": "Possible"},
    "dash.col.goods": {"zh": "批次数量", "en": "Goods"},
    "dash.col.share": {"zh": "占比", "en": "Share"},
    "dash.col.issued": {"zh": "有效标识", "en": "Labels live"},
    "dash.col.sold": {"zh": "已售", "en": "Sold"},
    "dash.col.void": {"zh": "作废", "en": "Voided"},
    "dash.scans": {"zh": "扫码（近 30 天）", "en": "Scans (last 30 days)"},
    "dash.scans.by_day": {"zh": "每日扫码次数", "en": "Scans per day"},
    "dash.scans.by_place": {"zh": "按地区（约 1° 网格）", "en": "By region (1° cells)"},
    "dash.scans.unplaced": {"zh": "未分享位置", "en": "no place shared"},
    "dash.anomalies": {"zh": "异常", "en": "Anomalies"},
    "dash.copies": {"zh": "疑似被复制的标识", "en": "Labels that look copied"},
    "dash.copies.row": {"zh": "序列号 {serial}（批次 {batch}）：扫码 {scans} 次 — {reasons}",
                        "en": "Serial {serial} (batch {batch}): {scans} scans — {reasons}"},
    # Why a label looks copied (gi_trace.labels.scans' suspicions), said in words, not codes.
    "dash.reason.far-apart": {"zh": "在相距很远的地方被扫码", "en": "scanned far apart"},
    "dash.reason.scanned-after-sale": {"zh": "售出后仍被多次扫码", "en": "scanned again after its sale"},
    "dash.reason.scanned-too-often": {"zh": "扫码次数过多", "en": "scanned too often"},
    "dash.list.separator": {"zh": "、", "en": ", "},
    "dash.chart.max": {"zh": "最高 {max}", "en": "max {max}"},
    "dash.scans.place": {"zh": "{ns}{lat}° {ew}{lon}°", "en": "{lat}°{ns} {lon}°{ew}"},
    "dash.north": {"zh": "北纬", "en": "N"},
    "dash.south": {"zh": "南纬", "en": "S"},
    "dash.east": {"zh": "东经", "en": "E"},
    "dash.west": {"zh": "西经", "en": "W"},
    "dash.balance": {"zh": "接近（≥ 90%）或超过物料平衡上限（标识/货量、已标识/收获、收获/配额；"
                           "发出/持有仅超限）",
                     "en": "Near (≥ 90 %) or over a mass-balance limit (labels / goods, labelled / "
                           "harvest, harvest / quota; shipped / held when over)"},
    "dash.balance.labels": {"zh": "标识/货量", "en": "labels / goods"},
    "dash.balance.harvest": {"zh": "已标识/收获", "en": "labelled / harvest"},
    "dash.balance.quota": {"zh": "收获/配额", "en": "harvest / quota"},
    "dash.balance.shipped": {"zh": "发出/持有", "en": "shipped / held"},
    "dash.balance.row": {"zh": "{kind}：{subject}（{org}）{used} / {limit} = {percent}",
                         "en": "{kind}: {subject} ({org}) {used} / {limit} = {percent}"},
    "dash.over": {"zh": "超限", "en": "over"},
    "dash.stale": {"zh": "待收货超过 7 天的发货", "en": "Deliveries pending over 7 days"},
    "dash.stale.row": {"zh": "{shipment}：{sender} → {receiver}，发出于 {sent}",
                       "en": "{shipment}: {sender} → {receiver}, sent {sent}"},
    "dash.revoked": {"zh": "已吊销的密钥", "en": "Revoked keys"},
    "dash.revoked.note": {"zh": "用已吊销密钥签名的声明会被拒绝且不入账，因此无法显示此类尝试；"
                                "此处列出吊销记录。",
                          "en": "Statements signed with a revoked key are refused and never reach "
                                "the log, so such attempts cannot be shown; the revocations are."},
    "dash.revoked.row": {"zh": "{org} 的密钥 {key} 于 {ts} 吊销（第 {seq} 条）：{reason}",
                         "en": "{org}'s key {key} revoked {ts} (entry #{seq}): {reason}"},
    "dash.reports": {"zh": "假冒举报", "en": "Counterfeit reports"},
    "dash.reports.unavailable": {"zh": "举报队列暂不可用。", "en": "The report queue is not available."},
    "dash.reports.set": {"zh": "更新状态", "en": "Set status"},
    "status.new": {"zh": "新举报", "en": "new"},
    "status.investigating": {"zh": "调查中", "en": "investigating"},
    "status.closed": {"zh": "已结案", "en": "closed"},
    "dash.batch": {"zh": "批次详情", "en": "Batch"},
    "dash.fact.product": {"zh": "产品", "en": "Product"},
    "dash.fact.lot": {"zh": "批号", "en": "Lot"},
    "dash.fact.producer": {"zh": "生产者", "en": "Producer"},
    "dash.fact.quantity": {"zh": "数量", "en": "Quantity"},
    "dash.fact.recalled": {"zh": "召回", "en": "Recalled"},
    "dash.fact.holders": {"zh": "持有方", "en": "Holders"},
    # A batch's events, by statement type.
    "dash.type.batch.register": {"zh": "收获登记", "en": "harvest registered"},
    "dash.type.batch.split": {"zh": "批次拆分", "en": "batch split"},
    "dash.type.batch.merge": {"zh": "批次合并", "en": "batches merged"},
    "dash.type.batch.process": {"zh": "加工", "en": "processed"},
    "dash.type.batch.recall": {"zh": "召回", "en": "recalled"},
    "dash.type.shipment.send": {"zh": "发货", "en": "shipped"},
    "dash.type.shipment.receive": {"zh": "收货", "en": "received"},
    "dash.type.shipment.reject": {"zh": "拒收", "en": "delivery rejected"},
    "dash.type.label.issue": {"zh": "签发专用标志", "en": "special signs issued"},
    "dash.type.label.sell": {"zh": "售出", "en": "sold"},
    "dash.type.label.void": {"zh": "标识作废", "en": "labels voided"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "dash.actions": {"zh": "监管操作（在本浏览器中签名）", "en": "Actions (signed in this browser)"},
    "dash.approve": {"zh": "批准生产者", "en": "Approve a producer"},
    "dash.suspend": {"zh": "暂停生产者", "en": "Suspend a producer"},
    "dash.reinstate": {"zh": "恢复生产者", "en": "Reinstate a producer"},
    "dash.recall": {"zh": "召回批次", "en": "Recall a batch"},
    "field.product": {"zh": "产品编号", "en": "Product id"},
    "field.producer": {"zh": "生产者编号", "en": "Producer id"},
    "field.year": {"zh": "年度", "en": "Year"},
    "field.quota": {"zh": "配额（产品单位）", "en": "Quota (in the product's unit)"},
    "field.reason": {"zh": "原因", "en": "Reason"},
    "field.batch": {"zh": "批次编号", "en": "Batch id"},

    # The receiving desk.
    "desk.title": {"zh": "收货台", "en": "Receiving desk"},
    "desk.scan": {"zh": "扫描货物标签", "en": "Scan the delivery's label"},
    "desk.camera": {"zh": "打开相机", "en": "Open the camera"},
    "desk.camera.stop": {"zh": "关闭相机", "en": "Close the camera"},
    "desk.camera.none": {"zh": "此浏览器不能识别二维码，请手动输入。",
                         "en": "This browser cannot read QR codes: type the code instead."},
    "desk.manual": {"zh": "货物标签链接、SSCC 或发货编号", "en": "Label link, SSCC or shipment id"},
    "desk.lookup": {"zh": "查询", "en": "Look up"},
    "desk.shipment": {"zh": "发货方申报", "en": "What the sender declared"},
    "desk.sender": {"zh": "发货方", "en": "Sender"},
    "desk.receiver": {"zh": "收货方", "en": "Receiver"},
    "desk.sent": {"zh": "发出时间", "en": "Sent"},
    "desk.status": {"zh": "状态", "en": "Status"},
    "desk.col.product": {"zh": "产品", "en": "Product"},
    "desk.col.lot": {"zh": "批号", "en": "Lot"},
    "desk.col.quantity": {"zh": "数量", "en": "Quantity"},
    "desk.reason": {"zh": "备注或拒收原因", "en": "Note, or the reason to reject"},
    "desk.accept": {"zh": "确认收货", "en": "Accept"},
    "desk.reject": {"zh": "拒收", "en": "Reject"},
    "desk.reason_required": {"zh": "拒收时请填写原因。", "en": "Give a reason to reject."},
    "desk.not_pending": {"zh": "此发货已处理（{status}）。",
                         "en": "This delivery is already settled ({status})."},
    "desk.not_mine": {"zh": "此发货不是发给 {org} 的。", "en": "This delivery is not addressed to {org}."},
    "desk.not_found": {"zh": "找不到发货 {code}：它不存在，或不是发给 {org} 的。",
                       "en": "No delivery {code} found: it does not exist, or it is not addressed "
                             "to {org}."},
    "desk.label": {"zh": "打印货物标签", "en": "Print the delivery label"},
    "desk.inbox": {"zh": "待收货", "en": "Deliveries to receive"},
    "desk.holdings": {"zh": "库存", "en": "Holdings"},
    "desk.bad_code": {"zh": "无法识别此码：{detail}", "en": "Cannot read this code: {detail}"},
    "shipment.pending": {"zh": "待收货", "en": "pending"},
    "shipment.received": {"zh": "已收货", "en": "received"},
    "shipment.rejected": {"zh": "已拒收", "en": "rejected"},

    # The dashboard's cases panel (cases across regions).
    "dash.cases": {"zh": "跨地区案件", "en": "Cases across regions"},
    "dash.cases.note": {"zh": "本地区立案、承办或移送的案件。接收、退回、移送和结案均在本浏览器中签名。",
                        "en": "Cases your region opened, holds or transferred. Accepting, returning, "
                              "transferring and closing are signed in this browser."},
    "dash.cases.typical": {"zh": "公开的典型案例", "en": "Published typical cases"},
    "dash.cases.incoming": {"zh": "待接收的移送", "en": "Transfers awaiting acceptance"},
    "dash.cases.held": {"zh": "在办案件", "en": "Open cases held"},
    "dash.cases.outgoing": {"zh": "已移出、待对方答复", "en": "Transfers sent, awaiting an answer"},
    "dash.cases.closed": {"zh": "已结案", "en": "Closed"},
    "dash.cases.holder": {"zh": "承办：{holder}", "en": "held by {holder}"},
    "dash.cases.accept": {"zh": "接收（认可证据）", "en": "Accept (recognise the evidence)"},
    "dash.cases.return": {"zh": "退回", "en": "Return"},
    "dash.cases.transfer": {"zh": "移送", "en": "Transfer"},
    "dash.cases.close": {"zh": "结案", "en": "Close"},
    "dash.cases.to": {"zh": "移送至（其他地区的监管部门）", "en": "To (a regulator of another region)"},
    "dash.cases.reason": {"zh": "原因（保密）", "en": "Reason (confidential)"},
    "dash.cases.outcome": {"zh": "结论", "en": "Outcome"},
    "dash.cases.outcome.confirmed": {"zh": "查实", "en": "confirmed"},
    "dash.cases.outcome.unfounded": {"zh": "不实", "en": "unfounded"},
    "dash.cases.publish": {"zh": "作为典型案例公布", "en": "Publish as a typical case"},
    "dash.cases.public_summary": {"zh": "公开摘要（公布时必填）",
                                  "en": "Public summary (required to publish)"},
    "dash.cases.published": {"zh": "已公布", "en": "published"},
    "dash.cases.done": {"zh": "案件 {case}：已签名并记入账本第 {seq} 条。",
                        "en": "Case {case}: signed and recorded as ledger entry #{seq}."},

    # Takedown notices: the platform's console and the dashboard's notices panel.
    "platform.title": {"zh": "平台下架通知", "en": "Takedown notices"},
    "platform.notices": {"zh": "发给本平台的通知", "en": "Notices to this platform"},
    "platform.notices.note": {"zh": "监管部门或地理标志协会要求在期限前下架商品链接。"
                                    "确认收到、已下架或提出异议，均在本浏览器中签名并记入账本，"
                                    "响应时间可公开核验。",
                              "en": "A regulator or the GI's association asks for a listing to be "
                                    "taken down by a deadline. Acknowledge, remove or dispute it: "
                                    "each answer is signed in this browser and logged, so the "
                                    "response time can be verified by anyone."},
    "platform.notice": {"zh": "通知", "en": "Notice"},
    "platform.reason": {"zh": "说明（提出异议时必填）", "en": "Note (required to dispute)"},
    "platform.answer.acknowledged": {"zh": "确认收到", "en": "Acknowledge"},
    "platform.answer.removed": {"zh": "已下架", "en": "Removed"},
    "platform.answer.disputed": {"zh": "提出异议", "en": "Dispute"},
    "platform.settled": {"zh": "此通知已处理（{status}）。", "en": "This notice is settled ({status})."},
    "platform.reason_required": {"zh": "提出异议时请说明理由。", "en": "Give the reason for the dispute."},
    "notice.fact.sender": {"zh": "发出方", "en": "Sent by"},
    "notice.fact.reason": {"zh": "原因", "en": "Reason"},
    "notice.fact.listing": {"zh": "商品核查编号", "en": "Listing check"},
    "notice.fact.url": {"zh": "商品链接", "en": "Listing URL"},
    "notice.fact.detail": {"zh": "详情", "en": "Detail"},
    "notice.fact.sent": {"zh": "发出时间", "en": "Sent"},
    "notice.fact.deadline": {"zh": "下架期限", "en": "Deadline"},
    "notice.fact.status": {"zh": "状态", "en": "Status"},
    "notice.fact.response": {"zh": "响应用时", "en": "Time to response"},
    "notice.fact.evidence": {"zh": "证据", "en": "Evidence"},
    "notice.status.open": {"zh": "待处理", "en": "open"},
    "notice.status.acknowledged": {"zh": "已确认收到", "en": "acknowledged"},
    "notice.status.removed": {"zh": "已下架", "en": "removed"},
    "notice.status.disputed": {"zh": "有异议", "en": "disputed"},
    "notice.overdue": {"zh": "已逾期", "en": "overdue"},
    "notice.deadline": {"zh": "期限 {deadline}", "en": "due {deadline}"},
    "notice.evidence.reports": {"zh": "举报", "en": "reports"},
    "notice.evidence.listings": {"zh": "商品核查", "en": "listing checks"},
    "notice.evidence.anomalies": {"zh": "扫码异常", "en": "scan anomalies"},
    "notice.evidence.photos": {"zh": "照片摘要", "en": "photo digests"},
    "notice.reason.seller-not-approved": {"zh": "卖家未获专用标志使用核准",
                                          "en": "seller not approved"},
    "notice.reason.approval-suspended": {"zh": "核准已暂停", "en": "approval suspended"},
    "notice.reason.product-recalled": {"zh": "产品已召回", "en": "product recalled"},
    "notice.reason.codes-invalid": {"zh": "标识码无效", "en": "label codes invalid"},
    "notice.reason.codes-copied": {"zh": "标识码被复制", "en": "label codes copied"},
    "notice.reason.quota-exceeded": {"zh": "超出配额", "en": "quota exceeded"},
    "notice.reason.other": {"zh": "其他", "en": "other"},
    "time.d": {"zh": "{n} 天", "en": "{n} d"},
    "time.h": {"zh": "{n} 小时", "en": "{n} h"},
    "time.min": {"zh": "{n} 分", "en": "{n} min"},
    "time.s": {"zh": "{n} 秒", "en": "{n} s"},
    "dash.notices": {"zh": "下架通知", "en": "Takedown notices"},
    "dash.notices.by_platform": {"zh": "按平台（响应用时为中位数）",
                                 "en": "By platform (median time to response)"},
    "dash.notices.open": {"zh": "待下架的通知", "en": "Notices waiting for a takedown"},
    "dash.notices.col.platform": {"zh": "平台", "en": "Platform"},
    "dash.notices.col.notices": {"zh": "通知数", "en": "Notices"},
    "dash.notices.col.open": {"zh": "待下架", "en": "Open"},
    "dash.notices.col.overdue": {"zh": "已逾期", "en": "Overdue"},
    "dash.notices.col.median": {"zh": "响应用时", "en": "Time to response"},
    "dash.notices.col.notice": {"zh": "通知", "en": "Notice"},
    "dash.notices.col.sender": {"zh": "发出方", "en": "Sent by"},
    "dash.recalls": {"zh": "召回与确认", "en": "Recalls and acknowledgements"},
    "dash.recalls.note": {"zh": "每次召回触及的库存持有方中，已签名确认下架的和尚未确认的。",
                          "en": "Of the holders of the stock each recall reached, who has signed "
                                "that it withdrew the stock, and who has not."},
    "dash.recalls.col.reason": {"zh": "召回原因", "en": "Reason"},
    "dash.recalls.col.when": {"zh": "召回时间", "en": "Recalled"},
    "dash.recalls.col.acknowledged": {"zh": "已确认 / 持有方", "en": "Acknowledged / holders"},
    "dash.recalls.col.pending": {"zh": "尚未确认", "en": "Not acknowledged"},
    "desk.ack": {"zh": "确认召回", "en": "Acknowledge a recall"},
    "desk.ack.note": {"zh": "签名说明本单位已下架的召回批次数量。下架数量和备注对公众保密。",
                      "en": "Sign what this organisation withdrew of a recalled batch. The "
                            "quantity and the note are confidential."},
    "desk.ack.batch": {"zh": "召回的批次", "en": "Recalled batch"},
    "desk.ack.withdrawn": {"zh": "已下架数量", "en": "Quantity withdrawn"},
    "desk.ack.remark": {"zh": "备注（保密）", "en": "Note (confidential)"},
}


def t(key: str, lang: str, default: str | None = None, **values: Any) -> str:
    """i18n.t over this table, then i18n's own (the layout's words)."""
    entry = STRINGS.get(key)
    if entry is None:
        return i18n.t(key, lang, default, **values)
    text = entry.get(lang, entry["en"])
    return text.format(**values) if values else text


def table(lang: str) -> dict[str, str]:
    """Every string of this table in `lang`, for a page's script (placeholders left in)."""
    return {key: entry.get(lang, entry["en"]) for key, entry in STRINGS.items()}
