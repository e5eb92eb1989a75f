"""EPCIS 2.0: the supply chain's events as GS1 EPCIS JSON-LD documents, for partners' systems.

`identifiers` turns GTIN, lot and serial into EPC URIs and back; `events` maps one
statement to one EPCIS event; `document` wraps events in an EPCISDocument; `export`
reads the log and the projections to build a batch's journey or a time range.
"""
