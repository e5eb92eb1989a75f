"""The words of the server-rendered pages, in Chinese and English.

One table for every page, so a translator reads it in one place and a test can
check that no key lacks a language. Values may hold `{name}` placeholders,
filled by `t(key, lang, name=…)`; both languages of a key use the same ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

STRINGS: dict[str, dict[str, str]] = {
    "site.name": {"zh": "地理标志产品溯源", "en": "GI product trace"},
    "site.footer": {"zh": "本页内容来自公开的防篡改账本。",
                    "en": "What this page shows comes from a public, tamper-evident ledger."},
    "lang.switch": {"zh": "语言", "en": "Language"},
    "scan.error.title": {"zh": "无法识别的二维码", "en": "Not a code we can read"},
    "scan.error.lead": {"zh": "这个链接不是有效的地理标志专用标志二维码。",
                        "en": "This link is not a valid GI special-sign code."},

    # The verdict banner.
    "verdict.title": {"zh": "扫码验证结果", "en": "Scan result"},
    "verdict.GENUINE": {"zh": "正品", "en": "Genuine"},
    "verdict.RECALLED": {"zh": "已召回", "en": "Recalled"},
    "verdict.WARNING": {"zh": "警告", "en": "Warning"},
    "verdict.INVALID": {"zh": "无效", "en": "Invalid"},
    "verdict.GENUINE.lead": {"zh": "此标识由生产者签发，并记录在公开账本中。",
                             "en": "This label was issued by its producer and is recorded in the "
                                   "public ledger."},
    "verdict.RECALLED.lead": {"zh": "请勿食用，也不得销售此产品。", "en": "Do not eat or sell this product."},
    "verdict.WARNING.lead": {"zh": "购买或食用前请阅读以下提示。",
                             "en": "Read what follows before you buy or eat this product."},
    "verdict.INVALID.lead": {"zh": "此码不是有效的专用标志，商品可能是假冒产品。",
                             "en": "This code is not a valid special sign. The product may be a "
                                   "counterfeit."},
    "verdict.advice": {"zh": "建议", "en": "What to do"},

    # What was scanned, and the sections of the page.
    "label.heading": {"zh": "本标识", "en": "This label"},
    "label.serial": {"zh": "序列号", "en": "Serial"},
    "label.status": {"zh": "状态", "en": "Status"},
    "label.status.issued": {"zh": "已签发", "en": "Issued"},
    "label.status.sold": {"zh": "已售出", "en": "Sold"},
    "label.status.void": {"zh": "已作废", "en": "Voided"},
    "label.issued": {"zh": "签发日期", "en": "Issued on"},
    "label.pack": {"zh": "净含量", "en": "Net quantity"},
    "label.sold": {"zh": "售出日期", "en": "Sold on"},
    "label.sold_by": {"zh": "售出商店", "en": "Sold by"},
    "label.voided": {"zh": "作废日期", "en": "Voided on"},
    "label.scans": {"zh": "扫码次数", "en": "Times scanned"},
    "label.scans.since": {"zh": "{count} 次（首次 {first}）", "en": "{count} (first on {first})"},
    "product.heading": {"zh": "产品", "en": "Product"},
    "product.name": {"zh": "地理标志产品", "en": "GI product"},
    "product.region": {"zh": "产地", "en": "Region"},
    "product.codes": {"zh": "行政区划代码", "en": "Region codes"},
    "producer.heading": {"zh": "生产者", "en": "Producer"},
    "issuer.heading": {"zh": "专用标志使用者", "en": "Special-sign user"},
    "producer.name": {"zh": "名称", "en": "Name"},
    "producer.uscc": {"zh": "统一社会信用代码", "en": "Unified social credit code"},
    "producer.region": {"zh": "所在地区代码", "en": "Region code"},
    "batch.heading": {"zh": "批次", "en": "Batch"},
    "batch.lot": {"zh": "批号", "en": "Lot"},
    "batch.id": {"zh": "批次编号", "en": "Batch id"},
    "batch.harvested": {"zh": "收获日期", "en": "Harvested"},
    "harvests.heading": {"zh": "产地与收获", "en": "Where and when it was harvested"},
    "harvest.village": {"zh": "产地", "en": "Grown in"},
    "harvest.producer": {"zh": "种植者", "en": "Grown by"},
    "retailer.heading": {"zh": "销售商店", "en": "The shop"},
    "batch.recalled": {"zh": "已召回：{reason}", "en": "Recalled: {reason}"},

    # The journey: one title per statement type, oldest first.
    "journey.heading": {"zh": "从田间到货架", "en": "From the field to the shelf"},
    "journey.intro": {"zh": "只显示此包装自身的来源和流转。", "en": "Only this package's own origin and "
                                                         "path are shown."},
    "journey.empty": {"zh": "暂无记录。", "en": "Nothing recorded yet."},
    "journey.by": {"zh": "由 {actor}", "en": "by {actor}"},
    "journey.entry": {"zh": "账本第 {seq} 条", "en": "ledger entry #{seq}"},
    "journey.batch.register": {"zh": "收获", "en": "Harvested"},
    "journey.batch.split": {"zh": "批次拆分", "en": "Batch split"},
    "journey.batch.merge": {"zh": "批次合并", "en": "Batches merged"},
    "journey.batch.process": {"zh": "加工", "en": "Processed"},
    "journey.shipment.send": {"zh": "运输", "en": "Shipped"},
    "journey.shipment.receive": {"zh": "收货", "en": "Received"},
    "journey.shipment.reject": {"zh": "拒收", "en": "Delivery rejected"},
    "journey.label.issue": {"zh": "签发专用标志", "en": "Special signs issued"},
    "journey.label.sell": {"zh": "售出", "en": "Sold"},
    "journey.label.void": {"zh": "标识作废", "en": "Labels voided"},
    "journey.batch.recall": {"zh": "召回", "en": "Recalled"},
    "journey.producer.suspend": {"zh": "生产者被暂停", "en": "Producer suspended"},
    "journey.producer.reinstate": {"zh": "生产者恢复", "en": "Producer reinstated"},
    "journey.to": {"zh": "至 {to}", "en": "to {to}"},
    "journey.received": {"zh": "{date} 签收", "en": "received on {date}"},
    "journey.in": {"zh": "产地：{village}", "en": "in {village}"},
    "journey.process": {"zh": "工艺：{process}", "en": "process: {process}"},
    "journey.count": {"zh": "{count} 枚", "en": "{count} labels"},
    "journey.reason": {"zh": "原因：{reason}", "en": "reason: {reason}"},
    "journey.note": {"zh": "备注：{reason}", "en": "note: {reason}"},

    # The proof, checked again by the phone's browser.
    "proof.heading": {"zh": "在您的浏览器中验证", "en": "Verified in your browser"},
    "proof.intro": {"zh": "您的手机正在独立核对此标识的签名和账本证明，无需信任本网站。",
                    "en": "Your phone checks this label's signatures and ledger proof itself, so "
                          "you need not trust this website."},
    "proof.none": {"zh": "此码不在账本中，没有可验证的证明。",
                   "en": "This code is not in the ledger, so there is no proof to check."},
    "proof.check.label-signature": {"zh": "标识签名由生产者的密钥签发",
                                    "en": "The label's signature was made by the producer's key"},
    "proof.check.statement": {"zh": "签发记录由此密钥签署，且针对此产品和批次",
                              "en": "The issue record was signed with this key, for this product "
                                    "and batch"},
    "proof.check.label-path": {"zh": "签发记录的标识树根包含此标识",
                               "en": "This label is one of those the issue record commits to"},
    "proof.check.key-id": {"zh": "密钥编号与公钥一致", "en": "The key id matches the public key"},
    "proof.check.inclusion": {"zh": "签发记录在账本的默克尔树中",
                              "en": "The issue record is in the ledger's Merkle tree"},
    "proof.check.checkpoint": {"zh": "账本运营方签署了该树的根",
                               "en": "The ledger operator signed that tree's root"},
    "proof.pending": {"zh": "正在验证……", "en": "Checking…"},
    "proof.ok": {"zh": "全部 {count} 项检查通过：此标识由 {producer} 签发，记录在公开账本第 {seq} 条"
                       "（树大小 {size}）。",
                 "en": "All {count} checks passed: this label was issued by {producer} and is "
                       "recorded in the public ledger at entry #{seq} of tree size {size}."},
    "proof.fail": {"zh": "验证失败：此标识与账本中的记录不符，请勿相信此标识。",
                   "en": "Verification failed: this label does not match the ledger's record. "
                         "Do not trust it."},
    "proof.unsupported": {"zh": "您的浏览器无法在此页面验证 Ed25519 签名（需要较新的浏览器和 https "
                                "连接）。这不代表标识有问题。",
                          "en": "Your browser cannot check Ed25519 signatures on this page (it "
                                "needs a recent browser and an https connection). This says "
                                "nothing against the label."},
    "proof.v1": {"zh": "此标识按账本的第一版格式签发：其签发记录列出了同批的其他标识，因此不予显示；"
                       "此处只验证该记录在账本中。",
                 "en": "This label was issued in the ledger's first format, whose issue record lists "
                       "the other labels of its batch; so that record is not shown, and only its place "
                       "in the ledger is checked here."},
    "proof.noscript": {"zh": "请开启 JavaScript 以在浏览器中验证。",
                       "en": "Turn on JavaScript to verify in your browser."},
    "proof.details": {"zh": "技术细节", "en": "Technical details"},
    "proof.seq": {"zh": "账本条目", "en": "Ledger entry"},
    "proof.tree_size": {"zh": "树大小", "en": "Tree size"},
    "proof.root": {"zh": "树根", "en": "Root hash"},
    "proof.key": {"zh": "生产者密钥编号", "en": "Producer key id"},
    "proof.witnesses": {"zh": "见证方签名", "en": "Witness cosignatures"},
    "proof.server_checked": {"zh": "服务器已检查", "en": "Checked by the server"},

    # Copy detection: a coarse place for this scan, only if the phone grants it.
    "place.button": {"zh": "分享我的大致位置，帮助发现仿冒", "en": "Share my approximate location to "
                                                        "help detect copies"},
    "place.note": {"zh": "仅保存到约 10 公里的精度。", "en": "Kept only to about 10 km."},
    "place.sent": {"zh": "谢谢！已分享大致位置。", "en": "Thank you: your approximate location was "
                                                 "shared."},
    "place.denied": {"zh": "未分享位置。", "en": "Location not shared."},
    "place.failed": {"zh": "暂时无法分享位置，请稍后再试。",
                     "en": "Could not share the location; please try again later."},

    # The counterfeit report.
    "report.heading": {"zh": "举报疑似假冒", "en": "Report a suspected counterfeit"},
    "report.intro": {"zh": "无需注册。举报将交给监管部门处理。",
                     "en": "No account needed. Reports go to the regulator."},
    "report.where": {"zh": "购买地点（必填）", "en": "Where you bought it (required)"},
    "report.where.hint": {"zh": "例如：北京市朝阳区某超市", "en": "e.g. the shop's name and town"},
    "report.details": {"zh": "详细说明", "en": "Details"},
    "report.photo": {"zh": "照片（可选，不超过 5 MB）", "en": "Photo (optional, at most 5 MB)"},
    "report.photo.too_big": {"zh": "照片不能超过 5 MB。", "en": "The photo must be at most 5 MB."},
    "report.contact": {"zh": "联系方式（可选）", "en": "How to contact you (optional)"},
    "report.submit": {"zh": "提交举报", "en": "Send the report"},
    "report.sending": {"zh": "正在提交……", "en": "Sending…"},
    "report.sent": {"zh": "举报已提交，编号 {id}。谢谢！", "en": "Report sent, number {id}. Thank you!"},
    "report.receipt": {"zh": "您的回执码（只显示这一次，请抄下或截图保存）：",
                       "en": "Your receipt code (shown this once: write it down or take a screenshot):"},
    "report.receipt.use": {"zh": "凭回执码可在“举报进度”页查看处理情况并领取奖励。",
                           "en": "With it you can follow your report and claim a reward on the "
                                 "report status page."},

    # The reporter's status page (/reports/status): the receipt code typed, the status shown.
    "receipt.title": {"zh": "举报进度", "en": "Report status"},
    "receipt.lead": {"zh": "输入举报时得到的回执码，查看举报进度；获得奖励后可在此领取。",
                     "en": "Type the receipt code your report returned to see where it stands; "
                           "claim a reward here once it is granted."},
    "receipt.code": {"zh": "回执码", "en": "Receipt code"},
    "receipt.show": {"zh": "查看进度", "en": "Show status"},
    "receipt.state": {"zh": "状态", "en": "Status"},
    "receipt.state.received": {"zh": "已收到，等待处理", "en": "Received, awaiting a case"},
    "receipt.state.in-case": {"zh": "已立案调查", "en": "In a case"},
    "receipt.state.rewarded": {"zh": "已获奖励，待领取", "en": "Rewarded: claim it below"},
    "receipt.state.claimed": {"zh": "奖励已领取", "en": "Reward claimed"},
    "receipt.received": {"zh": "提交时间", "en": "Sent"},
    "receipt.case": {"zh": "案件 {case}：{status}", "en": "Case {case}: {status}"},
    "receipt.case.open": {"zh": "办理中", "en": "open"},
    "receipt.case.transferring": {"zh": "移送中", "en": "being transferred"},
    "receipt.case.closed": {"zh": "已结案", "en": "closed"},
    "receipt.reward": {"zh": "奖励金额", "en": "Reward"},
    "receipt.reward.value": {"zh": "{amount} 元（案件 {case}）", "en": "{amount} yuan (case {case})"},
    "receipt.claimed_at": {"zh": "领取时间", "en": "Claimed"},
    "receipt.payout": {"zh": "收款账户（如支付宝账号），仅监管部门可见",
                       "en": "Where to pay you (e.g. an Alipay account); only regulators see it"},
    "receipt.claim": {"zh": "领取奖励", "en": "Claim the reward"},
    "receipt.claimed": {"zh": "已登记领取，监管部门将向该账户支付奖励。",
                        "en": "Claim recorded: the regulator will pay to that account."},
    "receipt.not_found": {"zh": "没有与此回执码对应的举报。", "en": "No report has this receipt code."},
    "receipt.too_many": {"zh": "错误次数过多，请一小时后再试。",
                         "en": "Too many wrong codes: try again in an hour."},
    # The server explains a refused field in English; a Chinese reader gets a line of her own too.
    "report.refused": {"zh": "请检查此项（{detail}）", "en": "{detail}"},
    "report.failed": {"zh": "提交失败，请稍后再试。", "en": "The report could not be sent; please try "
                                                  "again later."},

    # The resolver's product (/01/{gtin}) and lot (/01/{gtin}/10/{lot}) pages.
    "product.unit": {"zh": "计量单位", "en": "Unit"},
    "product.gtin": {"zh": "商品条码（GTIN）", "en": "GTIN"},
    "product.producers": {"zh": "获准使用专用标志的生产者",
                          "en": "Producers approved to use the special sign"},
    "product.producers.none": {"zh": "暂无获准的生产者。", "en": "No producer is approved yet."},
    "producer.years": {"zh": "获准年度", "en": "Approved for"},
    "producer.suspended": {"zh": "已暂停", "en": "Suspended"},
    "lot.status": {"zh": "状态", "en": "Status"},
    "lot.not_recalled": {"zh": "未召回", "en": "Not recalled"},
    "lot.recalled.lead": {"zh": "此批号的部分或全部产品已被召回。请勿食用，并联系购买的商店。",
                          "en": "Some or all of this lot has been recalled. Do not eat it; contact the "
                                "shop where you bought it."},
    "lot.journey": {"zh": "完整的流转记录仅向相关企业和监管部门开放。"
                          "扫描包装上专用标志的二维码，可查看该件商品的来源。",
                    "en": "The full journey is for the businesses involved and the regulators. Scan "
                          "the special sign's QR code on a package to see where that item came from."},
    "resolver.not_found.title": {"zh": "未找到", "en": "Not found"},
    "resolver.not_found.lead": {"zh": "本系统中没有这个产品或批号。",
                                "en": "This product or lot is not in this ledger."},

    # problem.html for any other error a browser meets: by status where it helps, else in general.
    "problem.title": {"zh": "无法完成此请求", "en": "This request could not be answered"},
    "problem.lead": {"zh": "请检查链接或输入的内容，然后重试。",
                     "en": "Check the link or what was sent, then try again."},
    "problem.404.title": {"zh": "页面不存在", "en": "Page not found"},
    "problem.404.lead": {"zh": "此地址没有页面。请检查链接，或从首页进入。",
                         "en": "There is no page at this address. Check the link, or start from the "
                               "home page."},
    "problem.405.title": {"zh": "不支持此操作", "en": "Not allowed here"},
    "problem.405.lead": {"zh": "此地址不接受这种请求。", "en": "This address does not take this kind of "
                                                       "request."},
    "problem.500.title": {"zh": "服务器出错", "en": "Something went wrong on the server"},
    "problem.500.lead": {"zh": "问题已记录，请稍后再试。", "en": "It has been logged; please try again "
                                                      "later."},
    "problem.503.title": {"zh": "服务暂时繁忙", "en": "The service is busy"},
    "problem.503.lead": {"zh": "请稍后再试。", "en": "Please try again in a moment."},
    "problem.status": {"zh": "错误 {status}", "en": "Error {status}"},
    "problem.home": {"zh": "返回首页", "en": "Go to the home page"},

    # The landing page (/).
    "home.title": {"zh": "地理标志产品溯源账本", "en": "The GI product trace ledger"},
    "home.lead": {"zh": "本服务为地理标志产品保存一本公开、签名、防篡改的账本：从收获、加工、运输到"
                        "贴上专用标志并售出，每一步都由相关企业用自己的密钥签名，任何人都可以核验。",
                  "en": "This service keeps a public, signed, tamper-evident ledger of geographical-"
                        "indication products: from the harvest through processing and shipping to the "
                        "special sign on the package and its sale, each step is signed by the business "
                        "that took it, with its own key, and anyone can check it."},
    "home.scan.heading": {"zh": "扫码验证", "en": "Check a package"},
    "home.scan.body": {"zh": "用手机相机扫描包装上地理标志专用标志的二维码，即可打开此标识的验证页：是否"
                             "正品、是否召回、从田间到货架的来源，以及在您手机上独立完成的签名和账本核验。",
                       "en": "Scan the QR code of the GI special sign on the package with your phone's "
                             "camera. It opens the label's own page: whether it is genuine or recalled, "
                             "where it came from, and a check of its signatures and ledger proof done "
                             "by your phone itself."},
    "home.scan.report": {"zh": "如果验证结果是“无效”，可以在该页直接举报疑似假冒，无需注册。",
                         "en": "If the result is Invalid, you can report a suspected counterfeit from "
                               "that page, with no account."},
    "home.work.heading": {"zh": "企业与监管部门", "en": "For businesses and regulators"},
    "home.dashboard": {"zh": "监管看板", "en": "Oversight dashboard"},
    "home.dashboard.note": {"zh": "配额、标识认证量、扫码与异常、假冒举报；用监管部门的密钥登录。",
                            "en": "Quotas, labels against goods, scans and anomalies, counterfeit "
                                  "reports; sign in with the regulator's key."},
    "home.desk": {"zh": "收货台", "en": "Receiving desk"},
    "home.desk.note": {"zh": "在手机上扫描货物标签，确认收货或拒收；用本机构登记的设备密钥登录。",
                       "en": "Scan a delivery's label on a phone and accept or reject it; sign in with "
                             "a device key enrolled for your organisation."},
    "home.keys": {"zh": "私钥只在您的浏览器中使用，从不上传到服务器。",
                  "en": "Private keys are used in your browser only and never sent to the server."},
    "home.api.heading": {"zh": "开放接口", "en": "The API"},
    "home.docs": {"zh": "接口文档（可在浏览器中浏览）", "en": "API documentation (browsable)"},
    "home.openapi": {"zh": "OpenAPI 文档（JSON）", "en": "The OpenAPI document (JSON)"},
    "home.checkpoint": {"zh": "账本最新签名检查点", "en": "The ledger's latest signed checkpoint"},

    # The typical cases page (/cases/).
    "cases.title": {"zh": "典型案例", "en": "Typical cases"},
    "cases.lead": {"zh": "监管部门办结并公布的地理标志保护案例。每一步都由办案部门签名记入公开账本，"
                         "跨地区移送的线索由接收地监管部门确认。",
                   "en": "Geographical-indication cases the regulators closed and published. Each "
                         "step was signed into the public ledger by the regulator that took it; a "
                         "clue transferred across regions was accepted by the receiving region's "
                         "regulator."},
    "cases.none": {"zh": "暂无公布的典型案例。", "en": "No typical case has been published yet."},
    "cases.case": {"zh": "案件编号", "en": "Case"},
    "cases.outcome.confirmed": {"zh": "查实", "en": "Confirmed"},
    "cases.outcome.unfounded": {"zh": "不实", "en": "Unfounded"},
    "cases.dates": {"zh": "立案与结案", "en": "Opened and closed"},
    "cases.dates.value": {"zh": "{opened} 立案，{closed} 结案", "en": "opened {opened}, closed {closed}"},
    "cases.regulators": {"zh": "办案部门", "en": "Handled by"},
    "cases.regions": {"zh": "涉及地区（行政区划代码）", "en": "Regions involved (admin codes)"},
}


def localized(names: Mapping[str, str], lang: str) -> str:
    """A `{"zh": …, "en": …}` name in `lang`, else in English, else in whatever it has."""
    return names.get(lang) or names.get("en") or next(iter(names.values()), "")


def t(key: str, lang: str, default: str | None = None, **values: Any) -> str:
    """The text of `key` in `lang` (English if `lang` is unknown), placeholders filled;
    a value that is a `{"zh": …, "en": …}` name is filled in `lang`.

    An unknown key is a programming error and raises KeyError, unless the caller
    passes a `default` (for open-ended keys such as a statement type).
    """
    entry = STRINGS.get(key)
    if entry is None:
        if default is None:
            raise KeyError(key)
        return default
    text = entry.get(lang, entry["en"])
    if not values:
        return text
    return text.format(**{name: localized(value, lang) if isinstance(value, Mapping) else value
                          for name, value in values.items()})
