"""What each verdict reason says to the person holding the package, in Chinese and English."""

from __future__ import annotations

from typing import Any

Text = dict[str, str]

# code: (what happened, what to do). `{…}` fields are filled from the verdict's facts.
REASONS: dict[str, tuple[Text, Text]] = {
    "unknown-label": (
        {"zh": "账本中没有这个防伪码：它不是由获批生产者签发的。",
         "en": "This code is not in the ledger: no approved producer issued it."},
        {"zh": "此标志可能是伪造的。请勿购买，并可在下方举报。",
         "en": "The sign may be counterfeit. Do not buy; you can report it below."}),
    "gtin-mismatch": (
        {"zh": "防伪码的商品编码（GTIN）与签发时不符。",
         "en": "The code's GTIN differs from the one it was issued for."},
        {"zh": "标志内容被改动过，可能是伪造的。", "en": "The sign was altered and may be counterfeit."}),
    "lot-mismatch": (
        {"zh": "防伪码的批号与签发时不符。", "en": "The code's lot differs from the one it was issued for."},
        {"zh": "标志内容被改动过，可能是伪造的。", "en": "The sign was altered and may be counterfeit."}),
    "signature-missing": (
        {"zh": "二维码缺少生产者的数字签名。", "en": "The QR code lacks the producer's signature."},
        {"zh": "真品标志都带有签名。此标志可能是伪造的。",
         "en": "Genuine signs always carry it. The sign may be counterfeit."}),
    "bad-signature": (
        {"zh": "生产者的数字签名不正确。", "en": "The producer's signature does not match this code."},
        {"zh": "此标志可能是伪造的。请勿购买，并可在下方举报。",
         "en": "The sign may be counterfeit. Do not buy; you can report it below."}),
    "voided": (
        {"zh": "此标志由 {issuer} 于 {issued} 签发，之后已于 {voided} 作废。",
         "en": "This sign was issued by {issuer} on {issued} and then voided on {voided}."},
        {"zh": "作废的标志不应出现在出售的商品上，商品可能并非标志所称。请勿购买，可向商家询问或在下方举报。",
         "en": "A voided sign must not be on goods for sale: the package may not be what it says. "
               "Do not buy it; ask the shop, or report it below."}),
    "recalled": (
        {"zh": "该产品已于 {recalled} 被召回：{reason}", "en": "This product was recalled on {recalled}: "
                                                       "{reason}"},
        {"zh": "请勿食用，也不得销售。请退回购买的商店。",
         "en": "Do not eat it or sell it. Return it to the shop where you bought it."}),
    "sold": (
        {"zh": "此包装已于 {sold} 在 {shop} 售出。", "en": "This package was sold on {sold} by {shop}."},
        {"zh": "若您是在那里买的，这就是您的商品，一切正常；若它又在出售，包装可能被重新灌装"
               "或标志被复制：请勿购买，并可在下方举报。",
         "en": "If you bought it there, it is yours and all is well. If it is on sale again, the bag "
               "was refilled or its code copied: do not buy it, and report it below."}),
    "producer-suspended": (
        {"zh": "生产者使用地理标志的资格已被暂停：{reason}",
         "en": "The producer's right to use the GI sign is suspended: {reason}"},
        {"zh": "该产品可能不符合地理标志要求。请保留凭证，可向商家或监管部门咨询。",
         "en": "The product may not meet the GI's rules. Keep your receipt; ask the shop or the authority."}),
    "scanned-after-sale": (
        {"zh": "此标志已于 {sold} 售出，之后又被扫描了 {after_sale} 次。",
         "en": "This sign was sold on {sold} and has been scanned {after_sale} times since."},
        {"zh": "若您刚买到，请忽略；若商品仍在货架上，此码可能被复制。",
         "en": "If you just bought it, ignore this; if it is still on a shelf, the code may have "
               "been copied."}),
    "scanned-too-often": (
        {"zh": "此码已被扫描 {count} 次，远多于一件商品的正常次数。",
         "en": "This code has been scanned {count} times, far more than one package ever is."},
        {"zh": "此码可能被复制。请核对包装，并可在下方举报。",
         "en": "The code may have been copied. Check the package, and report it below if in doubt."}),
    "far-apart": (
        {"zh": "此码在相距约 {km} 公里的两地于 {hours} 小时内被扫描。",
         "en": "This code was scanned about {km} km apart within {hours} hours."},
        {"zh": "一件商品不可能这样移动：此码可能被复制。",
         "en": "One package cannot travel like that: the code may have been copied."}),
}


def reason(code: str, **facts: Any) -> dict[str, Any]:
    """A reason in both languages; a fact that is a `{"zh", "en"}` name is put in each in its own."""
    text, advice = REASONS[code]
    return {"code": code,
            "text": {lang: words.format(**{name: _in(value, lang) for name, value in facts.items()})
                     for lang, words in text.items()},
            "advice": dict(advice)}


def _in(value: Any, lang: str) -> Any:
    if isinstance(value, dict) and "zh" in value and "en" in value:
        return value[lang] or value["en"]
    return value
